import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Category } from '../domain/index.ts';
import { PORTAL_WORDS } from '../portal/index.ts';
import { checkAnswerTemplates, renderAnswer } from './answer.ts';
import { noticeContext } from './notice-vars.ts';
import { SAMPLE_NOTICE_VARS } from './sample-notice-vars.ts';
import { BUILT_IN_TEMPLATES_DIR, loadTemplateSet } from './template-set.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The built-in locales copied, with `change` made to one answer file. */
function withChange(locale: string, file: string, change: (source: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-answer-'));
  dirs.push(dir);
  cpSync(BUILT_IN_TEMPLATES_DIR, dir, { recursive: true });
  writeFileSync(join(dir, locale, file), change(readFileSync(join(dir, locale, file), 'utf8')));
  return dir;
}

const LOCALES = ['de', 'en-GB', 'en-US', 'es', 'fr', 'it'];

describe("the portal's answers", () => {
  it('are fit to send in every locale the portal speaks', () => {
    expect(checkAnswerTemplates()).toEqual([]);
  });

  it.each(LOCALES)('say yes with the exposed and not exposed data, or no, in %s, every value escaped in HTML', (locale) => {
    const templates = loadTemplateSet([BUILT_IN_TEMPLATES_DIR]).locales.get(locale)!;
    const incident = noticeContext({ ...SAMPLE_NOTICE_VARS[0], contactEmail: 'dpo<b>@shop.example.com' }, 'default', templates);
    const base = { locale, shop: 'Shop <i>& Co', verification_code: 'N43F6-V14GR-HS7MB', verify_address: 'shop.example.com/verify' };
    const yes = renderAnswer({ ...base, affected: true, incidents: [incident] });
    const no = renderAnswer({ ...base, affected: false, incidents: [] });
    expect(yes.subject).toBe(no.subject);
    for (const phrase of [...incident.exposed, ...incident.not_exposed, incident.occurred_from]) expect(yes.text).toContain(phrase);
    for (const answer of [yes, no]) {
      expect(answer.text).toContain('N43F6-V14GR-HS7MB');
      expect(answer.text).toContain('shop.example.com/verify');
      expect(answer.html).toContain('Shop &lt;i&gt;&amp; Co');
      expect(answer.html).not.toMatch(/<a\s|<i>/);
    }
    expect(yes.html).toContain('dpo&lt;b&gt;@shop.example.com');
    expect(no.text).not.toContain(incident.exposed[0]);
  });

  it.each(LOCALES)('give the advice the exposed data calls for, in the incident page’s words, and no other, in %s', (locale) => {
    const templates = loadTemplateSet([BUILT_IN_TEMPLATES_DIR]).locales.get(locale)!;
    const words = PORTAL_WORDS.get(locale)!.incident as Record<string, string>;
    // The letter keeps its own forms of address (Italian's lower-case "suo"), so compare without case.
    const advice = (exposed: Category[]) => {
      const incident = noticeContext({ ...SAMPLE_NOTICE_VARS[0], exposed, notExposed: [] }, 'default', templates);
      const { text, html } = renderAnswer({ locale, shop: 'Shop', verification_code: 'N43F6-V14GR-HS7MB', verify_address: 'shop.example.com/verify', affected: true, incidents: [incident] });
      return (['advice_password', 'advice_bank', 'advice_identity'] as const).filter((word) => {
        const inText = text.toLowerCase().includes(words[word].toLowerCase());
        expect(html.toLowerCase().includes(words[word].toLowerCase()), word).toBe(inText);
        return inText;
      });
    };
    expect(advice(['email', 'security_qa', 'bank_account'])).toEqual(['advice_password', 'advice_bank']);
    expect(advice(['password_hash', 'national_id'])).toEqual(['advice_password', 'advice_identity']);
    expect(advice(['payment_card_number', 'date_of_birth'])).toEqual(['advice_bank', 'advice_identity']);
    expect(advice(['name', 'email', 'postal_address'])).toEqual([]);
  });

  it('tell a template author what is wrong: an unknown variable, a body without the code, a statement of fact, a syntax error', () => {
    const unknown = checkAnswerTemplates(withChange('fr', 'answer.txt.liquid', (source) => `${source}\n{{ customer_name }}\n`));
    expect(unknown.map((problem) => problem.message)).toEqual([expect.stringMatching(/^fr\/answer\.txt\.liquid, line \d+, column \d+: unknown variable 'customer_name'/)]);
    const noCode = checkAnswerTemplates(withChange('de', 'answer.html.liquid', (source) => source.replaceAll('{{ verification_code }}', 'XXXXX')));
    expect(noCode.map((problem) => problem.message)).toEqual([expect.stringContaining("de/answer.html.liquid: never shows 'verification_code'")]);
    const stated = checkAnswerTemplates(withChange('en-GB', 'answer.txt.liquid', (source) => source.replace('What you can do', 'We have reported the incident to the authority. What you can do')));
    expect(stated.map((problem) => problem.kind)).toContain('unguarded-statement');
    const broken = checkAnswerTemplates(withChange('it', 'answer.subject.liquid', () => '{% if affected %}'));
    expect(broken.map((problem) => problem.kind)).toEqual(['syntax']);
  });

  it('are written from each file as it is now: one edited since the last letter is read again', () => {
    const dir = withChange('en-GB', 'answer.subject.liquid', () => 'First subject – {{ shop }}');
    const context = { locale: 'en-GB', shop: 'Shop', verification_code: 'N43F6-V14GR-HS7MB', verify_address: 'shop.example.com/verify', affected: false, incidents: [] };
    expect(renderAnswer(context, dir).subject).toBe('First subject – Shop');
    writeFileSync(join(dir, 'en-GB', 'answer.subject.liquid'), 'The second, longer subject – {{ shop }}');
    expect(renderAnswer(context, dir).subject).toBe('The second, longer subject – Shop');
  });
});
