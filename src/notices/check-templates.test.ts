import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTemplates } from './check-templates.ts';
import { renderNotice } from './render-notice.ts';
import { SAMPLE_NOTICE_VARS } from './sample-notice-vars.ts';
import { BUILT_IN_TEMPLATES_DIR, loadTemplateSet } from './template-set.ts';
import { normalizeCode } from './verification-code.ts';

const root = mkdtempSync(join(tmpdir(), 'tocsin-check-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An override directory holding `files` (path → content); returns it with the set loaded over the built-in one. */
function overrides(files: Record<string, string>) {
  const dir = mkdtempSync(join(root, 'incident-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { dir, set: loadTemplateSet([dir, BUILT_IN_TEMPLATES_DIR]) };
}

const builtInText = (locale: string) => readFileSync(join(BUILT_IN_TEMPLATES_DIR, locale, 'notice.txt.liquid'), 'utf8');

describe('checkTemplates', () => {
  it('fails a custom template that states a report outside its condition, and passes it guarded', () => {
    const unguarded = builtInText('fr').replace('Ce que vous pouvez faire', "Nous avons notifié l'incident à la CNIL.\n\nCe que vous pouvez faire");
    const bad = overrides({ 'fr/notice.txt.liquid': unguarded });
    expect(checkTemplates(bad.set)).toEqual([
      {
        kind: 'unguarded-statement',
        locale: 'fr',
        file: join(bad.dir, 'fr/notice.txt.liquid'),
        message: `${join(bad.dir, 'fr/notice.txt.liquid')}: says 'notifié l'incident' (fr/statements.json) though no report was recorded as submitted; put the sentence inside {% if reported_to != empty %} … {% endif %}`,
      },
    ]);
    const guarded = builtInText('fr').replace('Ce que vous pouvez faire', "{% if reported_to != empty %}Nous avons notifié l'incident à la CNIL.{% endif %}\n\nCe que vous pouvez faire");
    expect(checkTemplates(overrides({ 'fr/notice.txt.liquid': guarded }).set)).toEqual([]);
  });

  it("fails a notification of an Attorney General outside authority_duty, with the incident's own statements too", () => {
    const unguarded = builtInText('en-US').replace('What you can do', 'We are notifying the Attorney General of Texas.\n\nWhat you can do');
    expect(checkTemplates(overrides({ 'en-US/notice.txt.liquid': unguarded }).set).map((problem) => problem.kind)).toEqual(['unguarded-statement']);
    const own = overrides({ 'it/statements.json': JSON.stringify({ reported_to: ['Garante'] }), 'it/notice.txt.liquid': builtInText('it').replace('Che cosa può fare', 'Il Garante è informato.\n\nChe cosa può fare') });
    expect(checkTemplates(own.set)).toMatchObject([{ kind: 'unguarded-statement', message: expect.stringContaining("says 'Garante'") }]);
    expect(checkTemplates(overrides({ 'it/statements.json': '{"reported": ["x"]}' }).set)).toMatchObject([{ kind: 'bad-file', message: expect.stringContaining('with conditions reported_to, authority_duty') }]);
  });

  it('finds nothing wrong with the built-in set', () => {
    expect(checkTemplates(loadTemplateSet([BUILT_IN_TEMPLATES_DIR]))).toEqual([]);
  });

  it('samples with a valid code', () => {
    for (const vars of SAMPLE_NOTICE_VARS) expect(normalizeCode(vars.verificationCode)).toBe(vars.verificationCode);
  });

  it('names an unknown variable in an override, with file, line and column', () => {
    const { dir, set } = overrides({ 'fr/notice.txt.liquid': `${builtInText('fr')}\nVotre commande : {{ order_id }}\n` });
    const problems = checkTemplates(set);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'unknown-variable', locale: 'fr', file: join(dir, 'fr/notice.txt.liquid') });
    expect(problems[0].message).toMatch(/notice\.txt\.liquid, line \d+, column 21: unknown variable 'order_id'; the variables are: locale, name, /);
  });

  it('overrides file by file, and phrase by phrase', () => {
    const { set } = overrides({
      'de/notice.subject.liquid': 'Wichtig: {{ controller }}\n',
      'de/categories.json': '{ "postal_address": "Ihre Anschrift" }',
    });
    expect(checkTemplates(set)).toEqual([]);
    const notice = renderNotice(set, 'de', SAMPLE_NOTICE_VARS[0]);
    expect(notice.subject).toBe('Wichtig: Example Phone Shop Ltd');
    expect(notice.text).toContain('- Ihre Anschrift\n');
    expect(notice.text).toContain('- Ihre Telefonnummer\n');
  });

  it('reports syntax errors with their position', () => {
    const { set } = overrides({ 'it/notice.html.liquid': '<p>{% if name %}Gentile {{ name }}</p>' });
    expect(checkTemplates(set)).toEqual([
      expect.objectContaining({ kind: 'syntax', locale: 'it', message: expect.stringMatching(/notice\.html\.liquid: tag \{% if name %\} not closed, line:1, col:4/) }),
    ]);
  });

  it('reports a locale missing parts and phrases', () => {
    const { set } = overrides({ 'nl/notice.subject.liquid': 'Beveiligingsincident – {{ controller }}\n' });
    const problems = checkTemplates(set).filter((problem) => problem.locale === 'nl');
    expect(problems.map((problem) => problem.kind).sort()).toEqual(['missing-part', 'missing-part', 'missing-phrase']);
    expect(problems.find((problem) => problem.kind === 'missing-phrase')?.message).toMatch(/^nl\/categories\.json: no phrase for 'name', 'email', /);
  });

  it('reports a body that no longer shows the verification code', () => {
    const { set } = overrides({ 'es/notice.txt.liquid': builtInText('es').replaceAll('{{ verification_code }}', '') });
    expect(checkTemplates(set)).toEqual([
      expect.objectContaining({ kind: 'missing-variable', message: expect.stringMatching(/notice\.txt\.liquid: never shows 'verification_code'/) }),
    ]);
  });

  it('reports phrase files that are not JSON objects of known categories', () => {
    const { set } = overrides({ 'fr/categories.json': '{ "postal_adress": "votre adresse" }', 'it/categories.json': '{ nope' });
    const problems = checkTemplates(set);
    expect(problems.map((problem) => [problem.kind, problem.locale])).toEqual([
      ['unknown-phrase', 'fr'],
      ['bad-file', 'it'],
    ]);
    expect(problems[0].message).toMatch(/'postal_adress' is not a data category/);
  });

  it('reports a locale directory with a name that is not a tag', () => {
    const { set } = overrides({ 'fr_FR/notice.subject.liquid': 'x' });
    expect(checkTemplates(set)).toEqual([expect.objectContaining({ kind: 'bad-file', message: expect.stringMatching(/rename the directory to 'fr-FR'/) })]);
  });

  it('reports what only fails when rendered, such as an include', () => {
    const { set } = overrides({ 'en-GB/notice.subject.liquid': "{% include 'header' %}\n" });
    expect(checkTemplates(set)).toEqual([
      expect.objectContaining({ kind: 'render', locale: 'en-GB', message: expect.stringMatching(/notice\.subject\.liquid: .*Failed to lookup "header"/) }),
    ]);
  });

  it('skips an override directory that does not exist', () => {
    expect(loadTemplateSet([join(root, 'no-such-incident'), BUILT_IN_TEMPLATES_DIR]).locales.size).toBe(8);
  });
});
