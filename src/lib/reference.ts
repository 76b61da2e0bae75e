import { randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so a reference read aloud or retyped comes out right. */
const SYMBOLS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `PREFIX-XXXX-XXXX…`: `groups` groups of four random symbols (20 bits each). */
export function randomReference(prefix: string, groups: number): string {
  const symbols = [...randomBytes(groups * 4)].map((byte) => SYMBOLS[byte & 31]).join('');
  return [prefix, ...Array.from({ length: groups }, (_, i) => symbols.slice(i * 4, i * 4 + 4))].join('-');
}
