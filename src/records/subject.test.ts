import { describe, expect, test } from 'vitest';
import { normalizeEmail } from './subject.ts';

describe('normalizeEmail', () => {
  test('one person across case variants and whitespace', () => {
    expect(normalizeEmail('  Marie.Dupont@Example.FR ')).toBe('marie.dupont@example.fr');
    expect(normalizeEmail('marie.dupont@example.fr')).toBe('marie.dupont@example.fr');
  });

  test('international domains become ASCII, local parts keep their letters', () => {
    expect(normalizeEmail('Jürgen@Müller.de')).toBe('jürgen@xn--mller-kva.de');
  });

  test('NFC: a decomposed é equals the composed one', () => {
    expect(normalizeEmail('rene\u0301@example.com')).toBe(normalizeEmail('ren\u00e9@example.com'));
  });

  test('case-sensitive local parts on request', () => {
    expect(normalizeEmail('Bob@EXAMPLE.com', { caseSensitiveLocalPart: true })).toBe('Bob@example.com');
  });

  test.each(['', 'no-at-sign', '@example.com', 'bob@', 'bob@localhost', 'a b@example.com', 'bob..x@example.com', 'bob@exa mple.com'])(
    'rejects %j',
    (raw) => {
      expect(normalizeEmail(raw)).toBeNull();
    },
  );
});
