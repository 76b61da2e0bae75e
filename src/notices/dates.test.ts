import { describe, expect, it } from 'vitest';
import { TocsinError } from '../lib/errors.ts';
import { formatDate } from './dates.ts';

describe('formatDate', () => {
  it('writes the day as readers of each language do', () => {
    const instant = '2019-11-13T12:00:00Z';
    expect(formatDate(instant, 'en-GB', 'x')).toBe('13 November 2019');
    expect(formatDate(instant, 'fr', 'x')).toBe('13 novembre 2019');
    expect(formatDate(instant, 'de', 'x')).toBe('13. November 2019');
    expect(formatDate(instant, 'es', 'x')).toBe('13 de noviembre de 2019');
    expect(formatDate(instant, 'it', 'x')).toBe('il 13 novembre 2019');
    expect(formatDate(instant, 'pt-BR', 'x')).toBe('13 de novembro de 2019');
    expect(formatDate(instant, 'fr-CA', 'x')).toBe('13 novembre 2019');
  });

  it('gives the day in UTC, whatever the zone the instant was written in', () => {
    expect(formatDate('2019-11-13T23:59:59Z', 'de', 'x')).toBe('13. November 2019');
    expect(formatDate('2019-11-14T06:00:00+08:00', 'de', 'x')).toBe('13. November 2019');
  });

  it('writes the first of the month in French as « 1er », in Italian and Portuguese as 1º', () => {
    expect(formatDate('2019-11-01T00:00:00Z', 'fr', 'x')).toBe('1er novembre 2019');
    expect(formatDate('2019-11-11T00:00:00Z', 'fr', 'x')).toBe('11 novembre 2019');
    expect(formatDate('2019-11-01T00:00:00Z', 'it', 'x')).toBe('il 1º novembre 2019');
    expect(formatDate('2019-11-01T00:00:00Z', 'pt-BR', 'x')).toBe('1º de novembro de 2019');
  });

  it('gives Italian dates their article, without a weekday: l\'8 and l\'11, il for the others', () => {
    expect(formatDate('2019-11-08T00:00:00Z', 'it', 'x')).toBe("l'8 novembre 2019");
    expect(formatDate('2019-11-11T00:00:00Z', 'it', 'x')).toBe("l'11 novembre 2019");
    expect(formatDate('2019-11-18T00:00:00Z', 'it', 'x')).toBe('il 18 novembre 2019');
  });

  it('names the field of an instant it cannot read', () => {
    expect(() => formatDate('2019-13-45', 'en-GB', 'aware-at')).toThrow(TocsinError);
    expect(() => formatDate('soon', 'en-GB', 'aware-at')).toThrow("aware-at: 'soon' is not an ISO 8601 instant");
  });
});
