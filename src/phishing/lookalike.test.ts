import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TocsinError } from '../lib/errors.ts';
import { editDistance, lookalikeIndex } from './lookalike.ts';

const index = lookalikeIndex(['shop.example.com', 'boutique-exemple.fr', 'gadgetshop.de'], { words: ['secure', 'login', 'support'] });
const kindsFor = (domain: string, shop: string) => index.imitates(domain).find((found) => found.imitates === shop)?.kinds;

describe('lookalikeIndex', () => {
  it('answers [] for the shop’s own domains, whatever their subdomain, case or final dot', () => {
    for (const domain of ['shop.example.com', 'example.com', 'www.example.com', 'SHOP.Example.COM.', 'boutique-exemple.fr', 'mail.boutique-exemple.fr', 'gadgetshop.de']) {
      expect(index.imitates(domain), domain).toEqual([]);
    }
  });

  it('names every class that produces a domain from the shop domain it imitates', () => {
    expect(index.imitates('exanple.com')).toEqual([{ imitates: 'shop.example.com', kinds: ['replacement', 'homoglyph'] }]); // n is next to m, and reads as it
    expect(kindsFor('gadgetshop1.de', 'gadgetshop.de')).toEqual(['addition']);
    expect(kindsFor('gadgetshp.de', 'gadgetshop.de')).toEqual(['omission']);
    expect(kindsFor('gadgetshoop.de', 'gadgetshop.de')).toEqual(['repetition']);
    expect(kindsFor('gadgteshop.de', 'gadgetshop.de')).toEqual(['transposition']);
    expect(kindsFor('gadget-shop.de', 'gadgetshop.de')).toEqual(['hyphenation']);
    expect(kindsFor('gadgetsshop.de', 'gadgetshop.de')).toEqual(['plural', 'repetition']);
    expect(kindsFor('gadget.shop.de', 'gadgetshop.de')).toEqual(['subdomain']);
    expect(kindsFor('gadgetshop-secure.de', 'gadgetshop.de')).toEqual(['dictionary']);
    expect(kindsFor('boutique-login.fr', 'boutique-exemple.fr')).toEqual(['dictionary']);
    expect(kindsFor('gadgetshop.com', 'gadgetshop.de')).toEqual(['tld-swap']);
    expect(kindsFor('gadgetshop.de.account-verify.net', 'gadgetshop.de')).toEqual(['embedded']);
    expect(kindsFor('www.example.com.login-verify.net', 'shop.example.com')).toEqual(['embedded']);
    expect(kindsFor('gadgetshop.de-kundenservice.com', 'gadgetshop.de')).toEqual(['embedded']);
    expect(kindsFor('mygadgetshop.de.example.org', 'gadgetshop.de')).toBeUndefined();
    expect(kindsFor('gadgetshap.com', 'gadgetshop.de')).toEqual(['vowel-swap', 'tld-swap']);
    expect(kindsFor('gadgetsho0.de', 'gadgetshop.de')).toEqual(['bitsquatting', 'replacement']); // p is 0x70, 0 is 0x30
    expect(kindsFor('fadgetshop.de', 'gadgetshop.de')).toContain('replacement');
    expect(kindsFor('gadgetshnp.de', 'gadgetshop.de')).toEqual(['bitsquatting']);
  });

  it('finds homoglyphs through IDNA, TR39 skeletons and the ASCII look-alikes, however many letters were swapped', () => {
    expect(kindsFor('xn--80ak1aii8i65amrkdc.de', 'gadgetshop.de')).toEqual(['homoglyph', 'cyrillic']); // ԍаԁԍетѕһор.de
    expect(kindsFor('gаdgetshop.de', 'gadgetshop.de')).toEqual(['homoglyph', 'cyrillic']);
    expect(kindsFor('gadgetsh0p.de', 'gadgetshop.de')).toEqual(['replacement', 'homoglyph']); // 0 is next to p, and reads as o
    expect(kindsFor('bout1que-exernple.fr', 'boutique-exemple.fr')).toEqual(['homoglyph']);
    expect(kindsFor('boutíque-éxemplé.fr', 'boutique-exemple.fr')).toEqual(['homoglyph']);
    expect(kindsFor('cxampic.com', 'shop.example.com')).toEqual(['homoglyph']);
    expect(kindsFor('qaclqetshop.com', 'gadgetshop.de')).toEqual(['homoglyph', 'tld-swap']);
  });

  it('reports an edit distance of at most 2 between folded names when no class explains it, less for short names', () => {
    expect(kindsFor('gadgteshops.de', 'gadgetshop.de')).toEqual(['edit-distance']);
    expect(kindsFor('gadgteshopxy.de', 'gadgetshop.de')).toBeUndefined();
    const short = lookalikeIndex(['mode.fr'], { words: [] });
    expect(short.imitates('mode.com')).toEqual([{ imitates: 'mode.fr', kinds: ['tld-swap'] }]);
    expect(short.imitates('mide.fr')).toEqual([{ imitates: 'mode.fr', kinds: ['replacement', 'vowel-swap'] }]);
    expect(short.imitates('nodes.fr')).toEqual([]);
    expect(short.imitates('code.com')).toEqual([]);
  });

  it('leaves unrelated domains alone', () => {
    for (const domain of ['wikipedia.org', 'google.com', 'shop.de', 'gadgets.de', 'boutique.fr', 'temple.fr', 'amazon.co.uk', 'github.io']) {
      expect(index.imitates(domain), domain).toEqual([]);
    }
  });

  it('reads the shop’s domains from config form, and refuses what has no registrable domain', () => {
    expect(lookalikeIndex(['GadgetShop.DE.']).imitates('gadgetshop.de')).toEqual([]);
    for (const bad of ['co.uk', 'localhost', '', 'not a domain', '192.0.2.1']) {
      try {
        lookalikeIndex([bad]);
        expect.unreachable(bad);
      } catch (error) {
        expect(error).toBeInstanceOf(TocsinError);
        expect((error as TocsinError).code).toBe('PHISHING_SHOP_DOMAIN_INVALID');
      }
    }
  });

  it('never throws, and answers [] for what is not a domain name', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({ unit: fc.constantFrom('a', 'x', 'n', '-', '.', '0', 'é', 'а', '\0', '\x1b', ' ', '\u202e', '\ufffd', '_', 'X'), maxLength: 80 }),
      fc.constantFrom('xn--', 'xn--zz.com', 'xn--80ak6aa92e.com', 'xn--.de', 'a..b.com', '.', '..', '.com', 'com.', 'a.-b.com', 'ex ample.com', 'example.com/path', 'user@example.com', '[::1]', '192.0.2.1'),
      fc.tuple(fc.integer({ min: 0, max: 300 }), fc.constantFrom('a', 'é', '-')).map(([length, char]) => `${char.repeat(length)}.example-shop.co.uk`),
    );
    fc.assert(
      fc.property(hostile, (text) => {
        const answer = index.imitates(text);
        expect(Array.isArray(answer)).toBe(true);
        const notDomain = text.includes('..') || /[\s\0-\x1f/@[\]\u202e]/u.test(text) || !text.replace(/\.$/, '').includes('.') || text.split('.').some((label) => label.length > 63);
        if (notDomain) expect(answer).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and neighbour swaps, up to a limit', () => {
    expect(editDistance('gadgetshop', 'gadgetshop', 2)).toBe(0);
    expect(editDistance('gadgetshop', 'gadgteshop', 2)).toBe(1);
    expect(editDistance('gadgetshop', 'gadgetshopxy', 2)).toBe(2);
    expect(editDistance('gadgetshop', 'gadgetshopxyz', 2)).toBe(3);
    expect(editDistance('gadgetshop', 'xadgetshoz', 2)).toBe(2);
    expect(editDistance('kitten', 'sitting', 5)).toBe(3);
    expect(editDistance('', 'ab', 2)).toBe(2);
    expect(editDistance('abcdef', 'badcfe', 2)).toBe(3);
  });
});

describe('long names', () => {
  it('are compared in full: the longest label folds to twice its length, and editDistance takes any length', () => {
    const shop = lookalikeIndex([`${'m'.repeat(63)}.com`], { words: [] });
    expect(shop.imitates(`${'m'.repeat(62)}n.com`)).toEqual([{ imitates: `${'m'.repeat(63)}.com`, kinds: ['replacement', 'homoglyph'] }]);
    expect(shop.imitates(`${'m'.repeat(61)}rn.com`)).toEqual([{ imitates: `${'m'.repeat(63)}.com`, kinds: ['homoglyph'] }]);
    expect(editDistance('rn'.repeat(200), `${'rn'.repeat(199)}m`, 2)).toBe(2);
  });
});
