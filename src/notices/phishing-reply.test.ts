import { describe, expect, it } from 'vitest';
import { VERDICTS } from '../domain/index.ts';
import { checkPhishingReplyTemplates, renderPhishingReply } from './phishing-reply.ts';

const LOCALES = ['de', 'en-GB', 'en-US', 'es', 'fr', 'it'];

describe("the phishing desk's replies to reporters", () => {
  it('are fit to send in every locale the portal speaks', () => {
    expect(checkPhishingReplyTemplates()).toEqual([]);
  });

  it.each(LOCALES)('word each verdict apart, and say how to forward as an attachment only after an inline forward, in %s', (locale) => {
    const base = { locale, shop: 'Shop <i>& Co', reference: 'R-7KQ2-MX9D-4HRT', verification_code: 'N43F6-V14GR-HS7MB', verify_address: 'shop.example.com/verify' };
    const replies = VERDICTS.map((verdict) => renderPhishingReply({ ...base, verdict, inline_forward: false }));
    expect(new Set(replies.map((reply) => reply.subject)).size).toBe(VERDICTS.length);
    expect(new Set(replies.map((reply) => reply.text)).size).toBe(VERDICTS.length);
    const inline = renderPhishingReply({ ...base, verdict: 'phishing', inline_forward: true });
    const attached = replies[VERDICTS.indexOf('phishing')];
    for (const reply of [inline, attached]) {
      for (const value of ['R-7KQ2-MX9D-4HRT', 'N43F6-V14GR-HS7MB', 'shop.example.com/verify']) expect(reply.text).toContain(value);
      expect(reply.subject).toContain('R-7KQ2-MX9D-4HRT');
      expect(reply.html).toContain('Shop &lt;i&gt;&amp; Co');
      expect(reply.html).not.toMatch(/<a\s|<i>/);
    }
    expect(inline.text).toContain('.eml');
    expect(attached.text).not.toContain('.eml');
    expect(inline.text).not.toMatch(/\n{3,}/);
  });
});
