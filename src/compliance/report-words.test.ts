import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_IN_TEMPLATES_DIR } from '../lib/template-dirs.ts';
import { checkedReportWords, reportTemplateProblems } from './report-check.ts';
import { fill, readReportWords, reportLanguage, reportLanguageFor, reportWords, REPORT_LANGUAGES } from './report-words.ts';
import { loadRuleBook } from './rules/load.ts';

const france = loadRuleBook().rulesFor('FR');
const scratch = mkdtempSync(join(tmpdir(), 'tocsin-report-words-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** An incident's override directory holding one report words file. */
function override(name: string, language: string, words: unknown): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'reports'), { recursive: true });
  writeFileSync(join(dir, 'reports', `${language}.json`), typeof words === 'string' ? words : JSON.stringify(words));
  return dir;
}

describe('report languages', () => {
  it("picks the authority's language where Tocsin has it, English elsewhere", () => {
    expect(['FR', 'DE', 'AT', 'ES', 'IT', 'IE', 'BE', 'GB', 'US-CA', 'ZZ'].map(reportLanguageFor)).toEqual(['fr', 'de', 'de', 'es', 'it', 'en', 'en', 'en', 'en', 'en']);
  });

  it('takes --locale as a language tag, and refuses one reports are not written in', () => {
    expect(['fr-FR', 'DE', 'en_GB', ' it '].map(reportLanguage)).toEqual(['fr', 'de', 'en', 'it']);
    for (const tag of ['nl', 'x', '']) expect(() => reportLanguage(tag)).toThrow(expect.objectContaining({ code: 'UNKNOWN_REPORT_LOCALE', kind: 'invalid' }));
  });

  it('fills {names} with values and leaves unknown ones for the check to find', () => {
    expect(fill('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});

describe('report words check', () => {
  it('passes the built-in words in every language', () => {
    for (const language of REPORT_LANGUAGES) expect(readReportWords([BUILT_IN_TEMPLATES_DIR], language).problems).toEqual([]);
    expect(reportTemplateProblems([BUILT_IN_TEMPLATES_DIR], france)).toEqual([]);
  });

  it('lets an incident override one string, and still checks the result', () => {
    const dir = override('one-string', 'fr', { sections: { consequences: { title: 'Conséquences probables pour les clients' } } });
    expect(reportWords([dir, BUILT_IN_TEMPLATES_DIR], 'fr').sections.consequences.title).toBe('Conséquences probables pour les clients');
    expect(reportTemplateProblems([dir, BUILT_IN_TEMPLATES_DIR], france)).toEqual([]);
  });

  it('finds a heading without the Regulation’s term, an unknown {name}, and a statement made out of its condition', () => {
    const dir = override('bad', 'de', {
      sections: { consequences: { title: 'Folgen' }, nature: { prompt: 'Beschreiben Sie {hergang}; die federführende Aufsichtsbehörde …' } },
    });
    const messages = reportTemplateProblems([dir, BUILT_IN_TEMPLATES_DIR], france).map((problem) => problem.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        "reports/de.json: no section heading names Art. 33(3)(c) as the Regulation does: 'wahrscheinlichen folgen'",
        "reports/de.json: '{hergang}' is filled by no value in the initial sample",
        expect.stringMatching(/^reports\/de\.json: the initial sample says 'federführende aufsichtsbehörde' though it is not the one-stop-shop lead's report/),
      ]),
    );
    // A report is never written in words the check refuses.
    expect(() => checkedReportWords([dir, BUILT_IN_TEMPLATES_DIR], 'de', france)).toThrow(expect.objectContaining({ code: 'REPORT_WORDS_INVALID', message: expect.stringContaining("'wahrscheinlichen folgen'") }));
    expect(checkedReportWords([dir, BUILT_IN_TEMPLATES_DIR], 'fr', france).language).toBe('fr');
  });

  it('reports a file that is not JSON, or has a key words do not have, and refuses to use it', () => {
    const broken = override('broken', 'es', '{"title": ');
    expect(reportTemplateProblems([broken, BUILT_IN_TEMPLATES_DIR], france)[0].message).toMatch(/reports\/es\.json: not report words/);
    const unknown = override('unknown', 'it', { titolo: 'x' });
    expect(reportTemplateProblems([unknown, BUILT_IN_TEMPLATES_DIR], france)[0].message).toMatch(/report words 'it': .*titolo/);
    expect(() => reportWords([unknown, BUILT_IN_TEMPLATES_DIR], 'it')).toThrow(expect.objectContaining({ code: 'REPORT_WORDS_INVALID' }));
  });

  it('cannot drop a built-in statement by overriding the list', () => {
    const dir = override('statements', 'en', { statements: { lead: [], late: [] } });
    expect(reportWords([dir, BUILT_IN_TEMPLATES_DIR], 'en').statements.lead).toEqual(JSON.parse(readFileSync(join(BUILT_IN_TEMPLATES_DIR, 'reports', 'en.json'), 'utf8')).statements.lead);
  });
});
