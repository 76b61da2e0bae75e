import { describe, expect, it } from 'vitest';
import { configWith } from '../config.ts';
import { PAGES, renderErrorPage, renderPage } from './pages.ts';
import { DEFAULT_LOCALE, pickLocale, PORTAL_WORDS } from './words.ts';

const config = configWith({ shop: { name: 'Example <Phone> Shop & Co', domains: ['shop.example.com'] } });
const VALUES = { form_token: 'abc.def', incidents: [{ href: '/incidents/<x>', published: '<b>today</b>' }], result: 'genuine', sent_date: '15 November 2019', subject: '<b>Security incident</b>', reference: 'R-1234', message: 'x' };

function keysOf(value: unknown, prefix = ''): string[] {
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => (typeof inner === 'object' ? keysOf(inner, `${prefix}${key}.`) : [`${prefix}${key}`]));
}

describe('portal pages', () => {
  it('speaks the six notice locales, each with every word the default has', () => {
    expect([...PORTAL_WORDS.keys()].sort()).toEqual(['de', 'en-GB', 'en-US', 'es', 'fr', 'it']);
    const expected = keysOf(PORTAL_WORDS.get(DEFAULT_LOCALE)).sort();
    for (const [locale, words] of PORTAL_WORDS) {
      expect(keysOf(words).sort(), locale).toEqual(expected);
      for (const key of expected) expect(key.split('.').reduce<any>((node, part) => node[part], words).trim(), `${locale} ${key}`).not.toBe('');
    }
  });

  it.each([...PORTAL_WORDS.keys()])('renders every page in %s, every value escaped, with no inline script or style', (locale) => {
    for (const page of PAGES.filter((name) => name !== 'incident')) {
      const html = renderPage(page, locale, config, VALUES);
      expect(html).toContain(`<html lang="${locale}">`);
      expect(html).toContain('Example &lt;Phone&gt; Shop &amp; Co');
      expect(html).not.toContain('<Phone>');
      expect(html).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
      expect(html).toContain('<link rel="stylesheet" href="/portal.css">');
      // The switcher: one link per locale, the current one marked.
      expect(html.match(/hreflang=/g)).toHaveLength(6);
      expect(html).toMatch(new RegExp(`hreflang="${locale}" lang="${locale}" aria-current="true"`));
    }
    expect(renderPage('verify-result', locale, config, VALUES)).toContain('&lt;b&gt;Security incident&lt;/b&gt;');
  });

  it('chooses the switcher, then Accept-Language by weight, then English', () => {
    expect(pickLocale('de', 'fr-FR,fr;q=0.9')).toBe('de');
    expect(pickLocale(undefined, 'fr-BE,en;q=0.5')).toBe('fr');
    expect(pickLocale(undefined, 'pt-BR, it;q=0.8, de;q=0.9')).toBe('de');
    expect(pickLocale(undefined, 'en-US')).toBe('en-US');
    expect(pickLocale(undefined, 'en')).toBe('en-GB');
    expect(pickLocale('xx-<script>', 'de;q=0, *')).toBe('en-GB');
    expect(pickLocale(undefined, undefined)).toBe('en-GB');
    expect(pickLocale(undefined, `${'a,'.repeat(10_000)}es`)).toBe('en-GB');
  });

  it('tells errors in the visitor’s words: a wait in minutes, the size limit, never the request', () => {
    expect(renderErrorPage('fr', config, { status: 429, code: 'THROTTLED', retry_after: 61 })).toContain('patienter 2 minutes');
    expect(renderErrorPage('en-GB', config, { status: 413, code: 'BODY_TOO_LARGE' })).toContain('up to 10 MB');
    expect(renderErrorPage('de', config, { status: 404, code: 'NOT_FOUND' })).toContain('Diese Seite gibt es nicht.');
    expect(renderErrorPage('fr', config, { status: 413, code: 'ATTACHMENT_TOO_LARGE' })).toContain('Une pièce jointe dépasse 5 Mio.');
    expect(renderErrorPage('it', config, { status: 401, code: 'LOGIN_FAILED' })).toContain('L’email o la password non sono corrette.');
  });
});
