/**
 * No silent zeros: a log of which no line is a request in the format given — a Caddy log read
 * as nginx JSON, an orders export passed as a log, one endless line — would scope to nobody
 * affected. So does a file most of whose lines do not parse. Either fails the run, unless
 * the user says the lines are expected (`--allow-unparsed`).
 */
import { TocsinError } from '../lib/errors.ts';
import type { FileStats } from './hits.ts';

/** The first line of a file that did not parse, as the file numbers it. */
export type UnparsedLine = { line: number; reason: string; excerpt: string };

const EXCERPT_CHARS = 120;

/**
 * Up to 120 characters of a line, safe to print on a terminal: control characters (escape
 * sequences start with one), bidirectional overrides and invalid bytes shown as `\xNN`/`\u{…}`.
 */
export function terminalExcerpt(buf: Buffer, start: number, end: number): string {
  const text = buf.toString('utf8', start, Math.min(end, start + EXCERPT_CHARS * 4));
  let excerpt = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const unsafe = code < 0x20 || (code >= 0x7f && code < 0xa0) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) || code === 0xfffd;
    excerpt += unsafe ? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`) : char;
    if (excerpt.length >= EXCERPT_CHARS) return `${excerpt.slice(0, EXCERPT_CHARS)}…`;
  }
  return end - start > EXCERPT_CHARS * 4 ? `${excerpt}…` : excerpt;
}

/** Whether a file's lines say it was read in the wrong format (or is not a log): none parsed, or most did not. */
export function mostlyUnparsed(file: FileStats): boolean {
  return file.parsed === 0 || file.unparseable + file.tooLong > file.parsed;
}

/**
 * A failure naming each file that looks read in the wrong format, with its first line that
 * did not parse; null when every file parsed. `hint` names the format read, `override` the
 * flag that accepts such files anyway.
 */
export function unparsedFailure(files: readonly FileStats[], format: string, override: string): TocsinError | null {
  const bad = files.filter(mostlyUnparsed);
  if (bad.length === 0) return null;
  const lines = bad.map((file) => {
    const counts = `${file.parsed} of ${file.lines} lines parsed`;
    const first = file.firstUnparsed;
    if (first === null) return `${file.file}: ${counts}${file.error ? ` (${file.error})` : ''}`;
    const excerpt = first.excerpt === '' ? '' : `: ${first.excerpt}`;
    return `${file.file}: ${counts}; the first unparseable line is ${file.file}:${first.line} (${first.reason})${excerpt}`;
  });
  return new TocsinError(
    'LOG_UNPARSED',
    `${lines.join('\n')}\nis --log-format ${format} the right format for ${bad.length === 1 ? 'this log' : 'these logs'}? ` +
      `Nothing was stored. If the lines are expected not to parse, pass ${override}.`,
    { kind: 'unsupported_media' },
  );
}
