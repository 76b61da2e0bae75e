/**
 * Unicode TR39 skeletons (UTS #39, section 4): two strings that a reader can mistake for each
 * other have the same skeleton. skeleton(X) = NFD(map(NFD(X))), where map replaces each character
 * listed in confusables.txt by its prototype.
 *
 * The project ships a compact table (data/confusables.tsv: source and prototype as hexadecimal code
 * points) generated from Unicode's confusables.txt by `compactConfusables`; data/README.md says where
 * it comes from and how to regenerate it.
 */
import { readFileSync } from 'node:fs';

const TABLE_PATH = new URL('./data/confusables.tsv', import.meta.url);

/** The header the compact table starts with: the source's version, date and licence travel with it. */
export interface ConfusablesSource {
  version: string;
  date: string;
  sha256: string;
}

/**
 * confusables.txt (`0430 ;\t0061 ;\tMA\t# ( а → a ) …`) as the compact table's text: a provenance
 * header, then one `SOURCE<TAB>PROTOTYPE` line per mapping, in the source's order.
 */
export function compactConfusables(text: string, source: ConfusablesSource): string {
  const lines = [
    `# Compact copy of Unicode confusables.txt, Unicode Security Mechanisms (UTS #39) version ${source.version}, dated ${source.date}`,
    `# (source SHA-256 ${source.sha256}). © Unicode, Inc.; Unicode License, https://www.unicode.org/terms_of_use.html`,
    '# One mapping a line: source code point, tab, prototype code points (hexadecimal). See README.md.',
  ];
  for (const line of text.split('\n')) {
    const match = /^([0-9A-F]{4,6}) ;\t([0-9A-F]{4,6}(?: [0-9A-F]{4,6})*) ;\tMA\b/.exec(line);
    if (match) lines.push(`${match[1]}\t${match[2]}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The version, date and mapping count confusables.txt states in its header and last line. */
export function confusablesHeader(text: string): { version: string; date: string; total: number } {
  const version = /^# Version: (\S+)$/m.exec(text)?.[1];
  const date = /^# Date: (\d{4}-\d{2}-\d{2})/m.exec(text)?.[1];
  const total = /^# total: (\d+)$/m.exec(text)?.[1];
  if (!version || !date || !total) throw new Error('confusables.txt: its header has no Version, Date or total line');
  return { version, date, total: Number(total) };
}

let prototypes: Map<number, string> | undefined;

/** The shipped table, read once on first use: code point → prototype string. */
function prototypeTable(): Map<number, string> {
  if (prototypes) return prototypes;
  const table = new Map<number, string>();
  for (const line of readFileSync(TABLE_PATH, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [source, prototype] = line.split('\t');
    table.set(Number.parseInt(source, 16), String.fromCodePoint(...prototype.split(' ').map((hex) => Number.parseInt(hex, 16))));
  }
  prototypes = table;
  return table;
}

/** The number of mappings in the shipped table (its tests compare it with the source's total). */
export function confusablesCount(): number {
  return prototypeTable().size;
}

/** The TR39 skeleton of a string. */
export function skeleton(text: string): string {
  const table = prototypeTable();
  let mapped = '';
  for (const char of text.normalize('NFD')) mapped += table.get(char.codePointAt(0)!) ?? char;
  return mapped.normalize('NFD');
}
