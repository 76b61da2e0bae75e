import { describe, expect, it } from 'vitest';
import { COUNTRIES, DEMO_INCIDENT } from '../demo/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { chooseLocale } from './locale-choice.ts';
import { BUILT_IN_TEMPLATES_DIR, loadTemplateSet } from './template-set.ts';

const BUILT_IN = ['de', 'en', 'es', 'fr', 'it'];
const choose = (subjectLocale: string | null, country: string | null, available = BUILT_IN, incidentLocale = 'en') =>
  chooseLocale({ subjectLocale, country, incidentLocale }, available);

describe('chooseLocale', () => {
  it("takes the customer's locale, exactly or by language", () => {
    expect(choose('fr-FR', 'FR')).toBe('fr');
    expect(choose('de-AT', 'AT')).toBe('de');
    expect(choose('es-US', 'US')).toBe('es');
    expect(choose('fr-FR', 'FR', ['fr', 'fr-FR', 'en'])).toBe('fr-FR');
    expect(choose('fr-BE', 'BE', ['fr-CA', 'en'])).toBe('fr-CA');
  });

  it('reads locales as shops write them', () => {
    expect(choose('fr_FR', null)).toBe('fr');
    expect(choose(' IT ', null)).toBe('it');
    expect(choose('de-de', null)).toBe('de');
  });

  it("falls back to the country's usual language when the customer's is not offered", () => {
    expect(choose('ca-ES', 'ES')).toBe('es');
    expect(choose('cy-GB', 'GB', BUILT_IN, 'fr')).toBe('en');
    expect(choose('hi-IN', 'IN', BUILT_IN, 'de')).toBe('en');
    expect(choose('nl-BE', 'BE', BUILT_IN, 'en')).toBe('fr');
    expect(choose(null, 'CH', BUILT_IN, 'en')).toBe('de');
    expect(choose('', 'fr', BUILT_IN, 'en')).toBe('fr');
  });

  it("takes the country from the customer's locale when the address has none", () => {
    expect(choose('ca-ES', null, BUILT_IN, 'en')).toBe('es');
  });

  it("falls back to the incident's locale, then fails naming it", () => {
    expect(choose('nl-NL', 'NL', BUILT_IN, 'de')).toBe('de');
    expect(choose('not a locale', 'XX', BUILT_IN, 'it')).toBe('it');
    const error = (() => {
      try {
        choose('nl-NL', 'NL', BUILT_IN, 'nl');
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(TocsinError);
    expect(error).toMatchObject({ code: 'NOTICE_LOCALE_MISSING', kind: 'invalid' });
    expect((error as Error).message).toBe(
      "no notice templates for the incident's locale 'nl' nor for the customer's locale 'nl-NL', country NL; " +
        "add templates for 'nl' or set the incident's locale to one of: de, en, es, fr, it",
    );
  });
});

describe("chooseLocale for the demo shop's customers", () => {
  const available = [...loadTemplateSet([BUILT_IN_TEMPLATES_DIR]).locales.keys()];
  const incidentLocale = DEMO_INCIDENT.locale!;

  it.each(COUNTRIES.flatMap(({ code, locales }) => ['', ...locales].map((locale) => [locale, code])))(
    "finds built-in templates for locale '%s' in %s",
    (subjectLocale, country) => {
      expect(available).toContain(chooseLocale({ subjectLocale, country, incidentLocale }, available));
    },
  );

  it.each([
    ['fr-FR', 'FR', 'fr'],
    ['de-DE', 'DE', 'de'],
    ['de-AT', 'AT', 'de'],
    ['es-ES', 'ES', 'es'],
    ['ca-ES', 'ES', 'es'],
    ['it-IT', 'IT', 'it'],
    ['it-CH', 'CH', 'it'],
    ['en-GB', 'GB', 'en-GB'],
    ['cy-GB', 'GB', 'en-GB'],
    ['en-US', 'US', 'en-US'],
    ['es-US', 'US', 'es'],
    ['hi-IN', 'IN', 'en-GB'],
    ['fr-CA', 'CA', 'fr-CA'],
    ['fr', 'CA', 'fr-CA'],
    ['fr', 'FR', 'fr'],
    ['fr-BE', 'BE', 'fr'],
    ['nl-BE', 'BE', 'fr'],
    ['', 'DE', 'de'],
    ['pt-BR', 'BR', 'pt-BR'],
    ['', 'BR', 'pt-BR'],
    ['pt', 'BR', 'pt-BR'],
    ['ja-JP', 'JP', 'en-GB'],
  ])("writes to '%s' in %s in %s", (subjectLocale, country, expected) => {
    expect(chooseLocale({ subjectLocale, country, incidentLocale }, available)).toBe(expected);
  });
});
