import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRuleBook } from '../compliance/index.ts';
import { checkTemplates } from './check-templates.ts';
import { checkVariantChecklists, checkVariantContent } from './check-variants.ts';
import { renderNotice } from './render-notice.ts';
import { SAMPLE_NOTICE_VARS } from './sample-notice-vars.ts';
import { BUILT_IN_TEMPLATES_DIR, loadTemplateSet } from './template-set.ts';
import { variantFor } from './variant-rules.ts';
import { loadVariantSets, NOTICE_VARIANTS } from './variant-sets.ts';

const root = mkdtempSync(join(tmpdir(), 'tocsin-variants-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const book = loadRuleBook();
const builtIn = loadVariantSets([BUILT_IN_TEMPLATES_DIR]);

/** An incident's override directory holding `files` (path → content), with every variant's set loaded over the built-in ones. */
function withOverrides(files: Record<string, string>) {
  const dir = mkdtempSync(join(root, 'incident-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { dir, sets: loadVariantSets([dir, BUILT_IN_TEMPLATES_DIR]) };
}

describe('variant template sets', () => {
  it('write to US residents in American English, to Massachusetts residents with their own variant, to everyone else with the base set', () => {
    expect([...builtIn['us-ca'].locales.keys()]).toEqual(['en-US']);
    expect([...builtIn['us-ma'].locales.keys()]).toEqual(['en-US']);
    for (const variant of ['gdpr', 'ch-fadp', 'in-dpdp', 'jp-appi', 'sg-pdpa', 'au-privacy', 'ca-pipeda', 'br-lgpd'] as const) {
      expect(builtIn[variant].locales, variant).toBe(builtIn.default.locales);
      expect(builtIn[variant].variant).toBe(variant);
    }
    expect([...builtIn.gdpr.locales.keys()]).toEqual(['de', 'en-GB', 'en-US', 'es', 'fr', 'fr-CA', 'it', 'pt-BR']);
  });

  it('take what a variant leaves out from the base files of the same locale', () => {
    const usCa = builtIn['us-ca'].locales.get('en-US')!;
    expect(usCa.parts.text?.file).toBe(join(BUILT_IN_TEMPLATES_DIR, 'variants', 'us-ca', 'en-US', 'notice.txt.liquid'));
    expect(usCa.phrases.national_id).toBe(loadTemplateSet([BUILT_IN_TEMPLATES_DIR]).locales.get('en-US')!.phrases.national_id);
  });

  it('never read the variants directory as a locale', () => {
    expect(loadTemplateSet([BUILT_IN_TEMPLATES_DIR]).locales.has('variants')).toBe(false);
    const { dir } = withOverrides({ 'variants/categories.json': '{}' });
    expect(loadTemplateSet([dir]).locales.size).toBe(0);
  });

  it('are found fit to send, each against its jurisdictions’ rules', () => {
    for (const variant of NOTICE_VARIANTS) expect(checkTemplates(builtIn[variant]), variant).toEqual([]);
    expect(checkVariantContent(builtIn, book)).toEqual([]);
    expect(checkVariantChecklists(builtIn)).toEqual([]);
  });

  it('are chosen by where the reader lives', () => {
    const variant = (country: string | null, region: string | null) => variantFor({ country, region }, book);
    expect(variant('US', 'US-CA')).toBe('us-ca');
    expect(variant('US', 'MA')).toBe('us-ma');
    expect(variant('US', 'US-CO')).toBe('us-ca'); // a state without rules of its own
    expect(variant('US', null)).toBe('us-ca');
    expect(variant('FR', null)).toBe('gdpr');
    expect(variant('GB', null)).toBe('gdpr');
    expect(variant('CH', null)).toBe('ch-fadp');
    expect(variant('IN', null)).toBe('in-dpdp');
    expect(variant('JP', null)).toBe('jp-appi');
    expect(variant('SG', null)).toBe('sg-pdpa');
    expect(variant('AU', null)).toBe('au-privacy');
    expect(variant('CA', 'CA-QC')).toBe('ca-pipeda');
    expect(variant('BR', null)).toBe('br-lgpd');
    expect(variant('LI', null)).toBe('gdpr');
    expect(variant('US', 'US-PR')).toBe('default');
    expect(variant('KR', null)).toBe('default');
    expect(variant(null, null)).toBe('default');
  });

  it('let an incident override one file of a variant, and add a locale to it', () => {
    const { dir, sets } = withOverrides({
      'variants/us-ma/en-US/notice.subject.liquid': 'Your rights under Massachusetts law – {{ controller }}\n',
      'variants/us-ma/en-GB/notice.subject.liquid': 'Your rights – {{ controller }}\n',
    });
    expect([...sets['us-ma'].locales.keys()]).toEqual(['en-GB', 'en-US']);
    const american = renderNotice(sets['us-ma'], 'en-US', SAMPLE_NOTICE_VARS[0]);
    expect(american.subject).toBe('Your rights under Massachusetts law – Example Phone Shop Ltd');
    expect(american.text).toContain('security freeze');
    // British English has no Massachusetts body of its own: the base one says what Massachusetts forbids.
    const problems = checkVariantContent(sets, book);
    expect(problems).toContainEqual(
      expect.objectContaining({ kind: 'content', variant: 'us-ma', locale: 'en-GB', message: expect.stringContaining('Massachusetts notices must not state the nature of the breach') }),
    );
    expect(problems.every((problem) => problem.locale === 'en-GB')).toBe(true);
    expect(sets['us-ca'].locales.get('en-US')?.parts.subject?.file).not.toContain(dir);
  });

  it('report a Massachusetts notice that states how many people were affected, naming the file', () => {
    const { dir, sets } = withOverrides({
      'variants/us-ma/en-US/notice.subject.liquid': 'About the 4,241 customers affected – {{ controller }}\n',
    });
    const file = join(dir, 'variants', 'us-ma', 'en-US', 'notice.subject.liquid');
    expect(checkVariantContent(sets, book)).toContainEqual({
      kind: 'content',
      variant: 'us-ma',
      locale: 'en-US',
      file,
      message: `${file}: Massachusetts notices must not state the number of people affected ("4,241 customers affected")`,
    });
  });

  it('report a California notice without its headings', () => {
    const { sets } = withOverrides({ 'variants/us-ca/en-US/notice.txt.liquid': 'Dear customer, see {{ exposed }} {{ contact_email }} {{ verification_code }} {{ verify_address }}\n' });
    const messages = checkVariantContent(sets, book).map((problem) => problem.message);
    expect(messages).toContainEqual(expect.stringContaining('California notices must be titled "Notice of Data Breach"'));
    expect(messages).toContainEqual(expect.stringContaining('California notices must have the heading "What Happened"'));
    expect(messages).toContainEqual(expect.stringContaining('Illinois notices must mention "Federal Trade Commission"'));
  });

  it('report a misspelt variant directory, which would otherwise be ignored', () => {
    const { dir, sets } = withOverrides({ 'variants/us_ma/en-US/notice.subject.liquid': 'x {{ controller }}\n' });
    expect(sets.gdpr.loadProblems).toContainEqual(expect.objectContaining({ kind: 'bad-file', message: expect.stringContaining(`${join(dir, 'variants', 'us_ma')}: 'us_ma' is not a notice variant`) }));
  });
});
