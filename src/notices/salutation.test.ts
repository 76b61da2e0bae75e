import { describe, expect, it } from 'vitest';
import { salutationName } from './salutation.ts';

describe('salutationName', () => {
  it.each(['Marie Dupont', 'Zoé Lefèvre-Martin', "Seán O'Brien", 'J.R.R. Tolkien', 'A. B. Smith', '山田 太郎', 'Ana', 'x'.repeat(100), '用'.repeat(100)])('greets %j by name', (name) => {
    expect(salutationName(name)).toBe(name);
  });

  it.each([
    ['a URL', 'Pay at http://ev.il/'],
    ['a scheme of any kind', 'see hxxps://x'],
    ['an email address', 'write to pay@example.com'],
    ['www.', 'Ana WWW.Example'],
    ['a host name', 'Ana ev.il'],
    ['a host name in capitals', 'Ana PAY.EXAMPLE.COM'],
    ['a host name with an ideographic dot', 'Ana ev。il'],
    ['a host name with a full-width dot', 'Ana ev．il'],
    ['an international host name', 'Ana bücher.de'],
    ['over 100 characters', 'x'.repeat(101)],
    ['over 100 characters, counted as characters', '用'.repeat(101)],
  ])('leaves out a name with %s', (_what, name) => {
    expect(salutationName(name)).toBe('');
  });

  it('puts a name on one line', () => {
    expect(salutationName('Marie\r\nBcc: x')).toBe('Marie Bcc: x');
  });
});
