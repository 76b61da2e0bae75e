import { describe, expect, it } from 'vitest';
import { configWith } from '../config.ts';
import { parseFaq } from './faq.ts';
import { type PageContent, renderIncidentPage } from './incident-page.ts';
import { CATEGORY_PHRASES, PORTAL_WORDS, STATEMENTS } from './words.ts';

const config = configWith({ shop: { name: 'Example <Phone> Shop', domains: ['shop.example.com'] } });

const HOSTILE_FAQ = `# Was my <b>password</b> exposed?

No. <script>alert(1)</script> [click](javascript:alert(1)) ![pixel](https://tracker.example/p.png) [our shop](https://shop.example.com)

## Do I need to do anything?

- Watch out for phishing.
- Check the code <img src=x onerror=alert(1)>.
`;

function content(overrides: Partial<PageContent> = {}): PageContent {
  const locales = Object.fromEntries(
    [...PORTAL_WORDS.keys()].map((locale) => [
      locale,
      { narrative: { what_happened: [`Story in ${locale} <script>alert("x")</script> & more`], what_you_can_do: ['Own advice <i>here</i>'] }, faq: HOSTILE_FAQ },
    ]),
  );
  return {
    slug: 'spring-2019',
    published_at: '2019-11-25T10:00:00.000Z',
    occurred_from: '2019-11-01T00:00:00.000Z',
    occurred_to: '2019-11-14T00:00:00.000Z',
    discovered_at: '2019-11-14T09:00:00.000Z',
    contact_email: 'dpo@shop.example.com',
    contact_phone: null,
    exposed: ['name', 'email', 'postal_address'],
    not_exposed: ['payment_card_number', 'password_hash'],
    reported_to: [],
    locales,
    ...overrides,
  };
}

describe('the incident page', () => {
  it.each([...PORTAL_WORDS.keys()])('in %s tells the narrative, the data involved and not, the words against phishing; every value escaped', (locale) => {
    const html = renderIncidentPage(content(), locale, config);
    const phrases = CATEGORY_PHRASES.get(locale)!;
    const words = PORTAL_WORDS.get(locale)!.incident as Record<string, string>;
    expect(html).toContain(`<html lang="${locale}">`);
    expect(html).toContain(`Story in ${locale} &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more`);
    expect(html).toContain('Own advice &lt;i&gt;here&lt;/i&gt;');
    expect(html).toContain('Example &lt;Phone&gt; Shop');
    for (const category of ['name', 'email', 'postal_address', 'payment_card_number', 'password_hash'] as const) expect(html).toContain(`<li>${escape(phrases[category])}</li>`);
    // Not involved comes after involved, in its own list.
    expect(html.indexOf(escape(phrases.password_hash))).toBeGreaterThan(html.indexOf(escape(words.not_exposed_intro)));
    expect(html).toContain(escape(words.never_ask));
    expect(html).toContain('dpo@shop.example.com');
    // The switcher keeps the visitor on this page.
    expect(html).toContain(`href="/incidents/spring-2019?lang=fr"`);
    // Nothing the page says can run, load from elsewhere or style itself.
    expect(html).not.toMatch(/<script|<style|<img|href="javascript:|<[^>]*\s(src|style|on[a-z]+)=/i);
    expect(html).toContain('<a href="https://shop.example.com">our shop</a>');
    expect(html).toContain('<h3>Was my &lt;b&gt;password&lt;/b&gt; exposed?</h3>');
    // Advice for a password only when one was exposed; no report claimed when none is recorded.
    expect(html).not.toContain(escape(words.advice_password));
    for (const phrase of STATEMENTS.get(locale)!.reported_to) expect(html.toLowerCase()).not.toContain(escape(phrase).toLowerCase());
  });

  it('states a report and gives the advice the exposed data calls for only when the facts say so', () => {
    const html = renderIncidentPage(content({ exposed: ['email', 'password_hash'], not_exposed: [], reported_to: ['CNIL', 'ICO'], contact_phone: '+33 1 23 45 67 89' }), 'fr', config);
    const words = PORTAL_WORDS.get('fr')!.incident as Record<string, string>;
    expect(html).toContain('Nous avons notifié l’incident à : CNIL et ICO.');
    expect(html).toContain(escape(words.advice_password));
    expect(html).not.toContain(escape(words.not_exposed_intro));
    expect(html).toContain('+33 1 23 45 67 89');
    expect(html).toContain('entre le 1er novembre 2019 et le 14 novembre 2019');
  });

  it('reads an FAQ as one heading per question and refuses one that is not', () => {
    expect(parseFaq('## One?\n\nYes.\n\n### Two?\n\nNo.\n', 'faq.md')).toEqual([
      { question: 'One?', answer: '<p>Yes.</p>' },
      { question: 'Two?', answer: '<p>No.</p>' },
    ]);
    expect(() => parseFaq('An answer first.\n\n## Question?\n\nAnswer.', 'faq.md')).toThrow(/faq\.md, line 1: an FAQ starts with a question/);
    expect(() => parseFaq('## Question?\n\nAnswer.\n\n## Unanswered?\n', 'faq.md')).toThrow(/faq\.md, line 5: the question has no answer/);
    expect(() => parseFaq('', 'faq.md')).toThrow(/the FAQ is empty/);
  });
});

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&#34;').replaceAll("'", '&#39;');
}
