import { isUtf8 } from 'node:buffer';
import { invalidInput } from '../lib/errors.ts';

/**
 * The encodings shop exports come in. `latin1` is decoded as Windows-1252, as browsers do
 * with that label: the "Latin-1" CSVs of Excel and of PHP shops use its 0x80–0x9F range for
 * €, œ, Œ, curly quotes and dashes, which ISO-8859-1 leaves as control characters.
 */
export type Encoding = 'utf-8' | 'latin1';

const ENCODING_NAMES: Record<string, Encoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  latin1: 'latin1',
  'latin-1': 'latin1',
  'iso-8859-1': 'latin1',
  'windows-1252': 'latin1',
  cp1252: 'latin1',
};

export function parseEncoding(name: string): Encoding {
  const encoding = ENCODING_NAMES[name.toLowerCase()];
  if (!encoding) throw invalidInput('IMPORT_ENCODING', `unknown encoding '${name}'; use utf-8 or latin1`);
  return encoding;
}

/** Windows-1252 characters of bytes 0x80–0x9F; the five bytes it leaves undefined stay C1 controls. */
const WINDOWS_1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const HAS_C1_CONTROL = /[\u0080-\u009f]/;
const C1_CONTROLS = /[\u0080-\u009f]/g;
const windows1252 = (c1: string) => WINDOWS_1252_HIGH[c1.charCodeAt(0) - 0x80];

/** Decodes `buf[start, end)`; UTF-8 input must have been checked with isUtf8 first. */
type Decode = (buf: Buffer, start: number, end: number) => string;

export function decoderFor(encoding: Encoding): Decode {
  if (encoding === 'utf-8') return (buf, start, end) => buf.toString('utf8', start, end);
  return (buf, start, end) => {
    const text = buf.toString('latin1', start, end);
    return HAS_C1_CONTROL.test(text) ? text.replace(C1_CONTROLS, windows1252) : text;
  };
}

/** Whether `buf[start, end)` can be decoded: always in Windows-1252, where every byte is a character. */
export function validatorFor(encoding: Encoding): ((buf: Buffer, start: number, end: number) => boolean) | null {
  return encoding === 'utf-8' ? (buf, start, end) => isUtf8(buf.subarray(start, end)) : null;
}

/**
 * The byte-order mark at the start of a file: its length, and the encoding it proves. A UTF-8
 * mark wins over --encoding latin1, since decoding such a file as Latin-1 is never what was
 * meant. UTF-16 (Excel's "Unicode text") cannot be read byte-wise: the user must re-save.
 */
export function byteOrderMark(start: Buffer, path: string): { bytes: number; encoding: Encoding | null } {
  if (start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) return { bytes: 3, encoding: 'utf-8' };
  if ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff)) {
    throw invalidInput('IMPORT_ENCODING', `${path} is UTF-16 text; save it as "CSV UTF-8" (or convert it to UTF-8) and import that`);
  }
  return { bytes: 0, encoding: null };
}
