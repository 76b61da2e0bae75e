/**
 * The typo-squatting permutations of a domain's name (the label left of its public suffix), class
 * by class as dnstwist names them. The look-alike index runs them once per shop domain, forward,
 * so that a domain seen later is answered by one lookup ("which of our names does this label come
 * from, and how?"). Homoglyphs and TLD swaps are not generated here: the index decides those by
 * comparing folded labels (see lookalike.ts), which also catches what no list enumerates.
 */

/** The permutation classes generated here, with dnstwist's names. */
export const GENERATED_KINDS = ['addition', 'bitsquatting', 'dictionary', 'hyphenation', 'insertion', 'omission', 'plural', 'repetition', 'replacement', 'subdomain', 'transposition', 'vowel-swap'] as const;
export type GeneratedKind = (typeof GENERATED_KINDS)[number];

/** Key rows of the layouts typists use, top to bottom; each row sits half a key right of the one above. */
const KEYBOARD_ROWS = {
  qwerty: ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'],
  qwertz: ['1234567890', 'qwertzuiop', 'asdfghjkl', 'yxcvbnm'],
  azerty: ['1234567890', 'azertyuiop', 'qsdfghjklm', 'wxcvbn'],
};

/**
 * The keys a finger slips to from each key, on any of the three layouts: left and right on its row,
 * the two above (same index and the next) and the two below (the previous index and the same).
 */
function keyboardNeighbours(): Map<string, Set<string>> {
  const neighbours = new Map<string, Set<string>>();
  for (const rows of Object.values(KEYBOARD_ROWS)) {
    rows.forEach((row, r) => {
      [...row].forEach((key, i) => {
        const near = [row[i - 1], row[i + 1], rows[r - 1]?.[i], rows[r - 1]?.[i + 1], rows[r + 1]?.[i - 1], rows[r + 1]?.[i]];
        const set = neighbours.get(key) ?? new Set<string>();
        for (const other of near) if (other) set.add(other);
        neighbours.set(key, set);
      });
    });
  }
  return neighbours;
}

const NEIGHBOURS = keyboardNeighbours();
const LETTERS_AND_DIGITS = [...'0123456789abcdefghijklmnopqrstuvwxyz'];
const HOSTNAME_CHARACTERS = new Set([...LETTERS_AND_DIGITS, '-']);
const VOWELS = [...'aeiou'];

/** Every permutation of `name` in one class (duplicates and the name itself may occur; callers key by value). */
export function permutations(name: string, kind: GeneratedKind, words: readonly string[] = []): string[] {
  const chars = [...name];
  const at = (i: number, insert: string, removed = 0) => chars.slice(0, i).join('') + insert + chars.slice(i + removed).join('');
  const out: string[] = [];
  switch (kind) {
    case 'addition':
      // A character added at the end, or at the end of a hyphenated part (`shop1`, `example1-shop`).
      for (const c of LETTERS_AND_DIGITS) {
        out.push(name + c);
        chars.forEach((char, i) => char === '-' && i > 0 && out.push(at(i, c)));
      }
      break;
    case 'bitsquatting':
      // One bit flipped in memory or on the wire, where the result is still a hostname character.
      chars.forEach((char, i) => {
        for (let bit = 1; bit < 256; bit <<= 1) {
          const flipped = String.fromCodePoint(char.codePointAt(0)! ^ bit);
          if (HOSTNAME_CHARACTERS.has(flipped)) out.push(at(i, flipped, 1));
        }
      });
      break;
    case 'hyphenation':
      for (let i = 1; i < chars.length; i++) out.push(at(i, '-'));
      break;
    case 'insertion':
      // A neighbouring key struck with an inner character, before or after it.
      for (let i = 1; i < chars.length - 1; i++) {
        for (const near of NEIGHBOURS.get(chars[i]) ?? []) out.push(at(i, near), at(i + 1, near));
      }
      break;
    case 'omission':
      chars.forEach((_, i) => out.push(at(i, '', 1)));
      break;
    case 'repetition':
      chars.forEach((char, i) => out.push(at(i, char)));
      break;
    case 'replacement':
      chars.forEach((char, i) => {
        for (const near of NEIGHBOURS.get(char) ?? []) out.push(at(i, near, 1));
      });
      break;
    case 'subdomain':
      // A dot inside the name (`exam.ple-shop.co.uk`), never next to a hyphen or another dot.
      for (let i = 1; i < chars.length - 1; i++) {
        if (!'-.'.includes(chars[i]) && !'-.'.includes(chars[i - 1])) out.push(at(i, '.'));
      }
      break;
    case 'transposition':
      for (let i = 0; i < chars.length - 1; i++) out.push(at(i, chars[i + 1] + chars[i], 2));
      break;
    case 'vowel-swap':
      chars.forEach((char, i) => {
        if (VOWELS.includes(char)) for (const vowel of VOWELS) if (vowel !== char) out.push(at(i, vowel, 1));
      });
      break;
    case 'plural':
      // An inner word made plural: `s`, or `es` after s, x or z (`gadgetsshop`).
      for (let i = 2; i < chars.length - 2; i++) out.push(at(i + 1, 'sxz'.includes(chars[i]) ? 'es' : 's'));
      break;
    case 'dictionary': {
      // A word added before or after the name, or in place of its first or last hyphenated part.
      const parts = name.split('-');
      for (const word of words) {
        if (!(name.startsWith(word) && name.endsWith(word))) out.push(`${name}-${word}`, name + word, `${word}-${name}`, word + name);
        if (parts.length > 1) out.push([...parts.slice(0, -1), word].join('-'), [word, ...parts.slice(1)].join('-'));
      }
      break;
    }
  }
  return out;
}
