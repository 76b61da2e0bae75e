import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NoticeVariant } from '../db/index.ts';
import { checkTemplates } from './check-templates.ts';
import { checkVariantChecklists } from './check-variants.ts';
import { BUILT_IN_TEMPLATES_DIR, type TemplateProblem } from './template-set.ts';
import { loadVariantSets } from './variant-sets.ts';

const root = mkdtempSync(join(tmpdir(), 'tocsin-checklist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * An incident's override of one built-in file, edited by `edit`: the built-in file with one thing
 * changed, so each test breaks exactly one item of a checklist.
 */
function overriding(path: string, edit: (source: string) => string) {
  const dir = mkdtempSync(join(root, 'incident-'));
  const source = readFileSync(join(BUILT_IN_TEMPLATES_DIR, path), 'utf8');
  const edited = edit(source);
  expect(edited, `the edit of ${path} changes nothing`).not.toBe(source);
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), edited);
  return { file: join(dir, path), sets: loadVariantSets([dir, BUILT_IN_TEMPLATES_DIR]) };
}

function problemsOf(sets: ReturnType<typeof loadVariantSets>, variant: NoticeVariant, locale: string): TemplateProblem[] {
  return checkVariantChecklists(sets).filter((problem) => problem.variant === variant && problem.locale === locale);
}

/** The one rule broken, named with its source, in a message that starts with the template at fault. */
function expectBroken(problems: TemplateProblem[], rule: string, source: string, file: string) {
  const found = problems.filter((problem) => problem.message.includes(`[${rule}: `));
  expect(found.length, `${rule} not reported; got ${JSON.stringify(problems.map((problem) => problem.message))}`).toBeGreaterThan(0);
  for (const problem of found) {
    expect(problem.kind).toBe('checklist');
    expect(problem.message).toContain(source);
    expect(problem.file).toBe(file);
    expect(problem.message.startsWith(`${file}: `)).toBe(true);
  }
}

describe("each variant's checklist, as 'templates check' runs it", () => {
  it('passes every built-in variant in every locale', () => {
    expect(checkVariantChecklists(loadVariantSets([BUILT_IN_TEMPLATES_DIR]))).toEqual([]);
  });

  it('refuses "customers who do not receive this message were not affected", in English and in French', () => {
    const english = overriding('variants/us-ca/en-US/notice.txt.liquid', (source) => source.replace('What Happened\n-------------\n', 'What Happened\n-------------\n\nCustomers who do not receive this notice were not affected.\n'));
    expectBroken(problemsOf(english.sets, 'us-ca', 'en-US'), 'no-unreceived-not-affected', 'portal', english.file);
    const french = overriding('fr/notice.txt.liquid', (source) => source.replace('{{ rights }}', '{{ rights }} Les clients qui ne reçoivent pas ce message ne sont pas concernés.'));
    for (const variant of ['gdpr', 'ca-pipeda', 'default'] as const) expectBroken(problemsOf(french.sets, variant, 'fr'), 'no-unreceived-not-affected', 'portal', french.file);
  });

  it("refuses the GDPR's supervisory authority outside the EU/EEA and the UK, and accepts it inside", () => {
    const { file, sets } = overriding('de/notice.txt.liquid', (source) =>
      source.replace('{{ rights }}', 'Sie haben zudem das Recht, sich bei einer Datenschutzaufsichtsbehörde zu beschweren. {{ rights }}'),
    );
    for (const variant of ['ch-fadp', 'in-dpdp', 'jp-appi', 'sg-pdpa', 'au-privacy', 'ca-pipeda', 'br-lgpd', 'default'] as const) {
      expectBroken(problemsOf(sets, variant, 'de'), 'no-eu-complaint', 'GDPR', file);
    }
    expect(problemsOf(sets, 'gdpr', 'de')).toEqual([]);
  });

  it("refuses a notice that does not name the reader's own authority", () => {
    const { file, sets } = overriding('en-GB/notice.html.liquid', (source) => source.replace(' {{ rights }}', ''));
    for (const variant of ['gdpr', 'ch-fadp', 'in-dpdp', 'jp-appi', 'sg-pdpa', 'au-privacy', 'ca-pipeda', 'br-lgpd'] as const) {
      const problems = problemsOf(sets, variant, 'en-GB');
      expectBroken(problems, 'authority-named', 'notice.content', file);
    }
    expect(problemsOf(sets, 'ca-pipeda', 'en-GB').map((problem) => problem.message).join('\n')).toContain('Office of the Privacy Commissioner of Canada (OPC)');
  });

  it('refuses ß in a German notice to a Swiss reader, not to a German one', () => {
    const { file, sets } = overriding('de/notice.txt.liquid', (source) => source.replace('Freundliche Grüsse', 'Freundliche Grüße'));
    expectBroken(problemsOf(sets, 'ch-fadp', 'de'), 'no-eszett', 'Swiss', file);
    expect(problemsOf(sets, 'gdpr', 'de')).toEqual([]);
  });

  it('refuses a California notice without the date of the notice', () => {
    const { file, sets } = overriding('variants/us-ca/en-US/notice.txt.liquid', (source) => source.replace('Date of this notice: {{ notice_date }}', 'Notice'));
    expectBroken(problemsOf(sets, 'us-ca', 'en-US'), 'notice-date', '§ 1798.82(d)(2)(C)', file);
  });

  it('refuses a California notice without a website or the phone number beside the email', () => {
    const { file, sets } = overriding('variants/us-ca/en-US/notice.html.liquid', (source) =>
      source.replace('{% if contact_phone != blank %} or call us at {{ contact_phone }}{% endif %}. Our website is {{ shop_address }}: type it into your browser yourself.', '.'),
    );
    const problems = problemsOf(sets, 'us-ca', 'en-US');
    expectBroken(problems, 'contact-beside-email', '§ 1798.82(d)(2)(A)', file);
    expect(problems.map((problem) => problem.message).join('\n')).toContain('+1 800 555 0199');
  });

  it('refuses a California notice with text under 10 points (13 px is 9.75 pt)', () => {
    const { file, sets } = overriding('variants/us-ca/en-US/notice.html.liquid', (source) => source.replaceAll('font-size: 14px', 'font-size: 13px'));
    const problems = problemsOf(sets, 'us-ca', 'en-US');
    expectBroken(problems, 'type-size', '10-point', file);
    expect(problems.map((problem) => problem.message).join('\n')).toContain('"font-size: 13px"');
  });

  it('refuses a protection offer that says "write to us" instead of the provider and how to enrol', () => {
    const { file, sets } = overriding('variants/us-ma/en-US/notice.txt.liquid', (source) =>
      source.replace('from {{ protection_provider }} at no cost to you for {{ protection_months }} months. To enroll: {{ protection_enrolment }}.', 'at no cost to you for 18 months. To enroll, write to us at {{ contact_email }}.'),
    );
    const problems = problemsOf(sets, 'us-ma', 'en-US');
    expectBroken(problems, 'offer-with-provider', 'ch. 93H § 3A(a)', file);
    expect(problems.map((problem) => problem.message).join('\n')).toContain('write to us');
  });

  it('refuses a Massachusetts notice that leaves out the parent company recorded', () => {
    const { file, sets } = overriding('variants/us-ma/en-US/notice.html.liquid', (source) => source.replace('{% if controller_parent != blank %} {{ controller }} is owned by {{ controller_parent }}.{% endif %}', ''));
    expectBroken(problemsOf(sets, 'us-ma', 'en-US'), 'parent-company', 'St. 2018, c. 444', file);
  });

  it('refuses a notice that shows its verification code only at the end', () => {
    const { file, sets } = overriding('es/notice.txt.liquid', (source) => `${source.replace('      {{ verification_code }}\n', '')}\n{{ verification_code }}\n`);
    expectBroken(problemsOf(sets, 'gdpr', 'es'), 'code-near-top', 'genuine', file);
  });
});

describe('regimes.json and the law enforcement statement', () => {
  it('refuses a regimes.json whose rights do not name its authority, or that names no variant', () => {
    const dir = mkdtempSync(join(root, 'regimes-'));
    mkdirSync(join(dir, 'en-GB'));
    writeFileSync(join(dir, 'en-GB', 'regimes.json'), JSON.stringify({ 'ca-pipeda': { authority: 'OPC', rights: 'Complain to the Commissioner.' }, 'ca-quebec': { authority: 'CAI', rights: 'CAI' } }));
    const { gdpr } = loadVariantSets([dir, BUILT_IN_TEMPLATES_DIR]);
    const messages = checkTemplates(gdpr).map((problem) => problem.message);
    expect(messages).toContainEqual(expect.stringContaining(`the "rights" of 'ca-pipeda' must name its "authority" ('OPC')`));
    expect(messages).toContainEqual(expect.stringContaining("'ca-quebec' is not a notice variant"));
  });

  it('refuses a California notice that states the law enforcement fact before it is recorded', () => {
    const { file, sets } = overriding('variants/us-ca/en-US/notice.txt.liquid', (source) => source.replace('{% if law_enforcement_delay == \'no\' %}', "This notice was not delayed by a law enforcement investigation.{% if law_enforcement_delay == 'no' %}"));
    expect(checkTemplates(sets['us-ca'])).toContainEqual(
      expect.objectContaining({ kind: 'unguarded-statement', file, message: expect.stringContaining("whether law enforcement delayed the notice was not recorded; put the sentence inside {% if law_enforcement_delay == 'no' %}") }),
    );
  });
});
