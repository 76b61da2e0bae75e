import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvRowScanner, detectDelimiter, nextLineStart, type ScanStatus } from './csv-scanner.ts';

const COMMA = 0x2c;

type Scanned = { status: ScanStatus; fields?: string[]; end?: number; lineBreaks?: number; stray?: number };

function scanOnce(text: string, atEnd = true, delimiter = COMMA): Scanned {
  const buf = Buffer.from(text);
  const scanner = new CsvRowScanner(delimiter);
  const status = scanner.scan(buf, 0, buf.length, atEnd);
  if (status !== 'row') return { status };
  return { status, fields: fieldsOf(scanner, buf), end: scanner.end, lineBreaks: scanner.lineBreaks, stray: scanner.strayAfterQuote };
}

function fieldsOf(scanner: CsvRowScanner, buf: Buffer): string[] {
  return Array.from({ length: scanner.fields }, (_, k) => {
    const text = buf.toString('utf8', scanner.starts[k], scanner.ends[k]);
    return scanner.escaped[k] ? text.replaceAll('""', '"') : text;
  });
}

/** Every row of `text`, scanned as the reader does. */
function scanAll(text: string): string[][] {
  const buf = Buffer.from(text);
  const scanner = new CsvRowScanner(COMMA);
  const rows: string[][] = [];
  for (let pos = 0; pos < buf.length; pos = scanner.end) {
    expect(scanner.scan(buf, pos, buf.length, true)).toBe('row');
    rows.push(fieldsOf(scanner, buf));
  }
  return rows;
}

/** RFC 4180 as a careful writer produces it, quoting only where needed. */
const field = (value: string) => (/[",\r\n]/.test(value) || value === '' ? `"${value.replaceAll('"', '""')}"` : value);
const toCsv = (rows: string[][], lineBreak: string) => rows.map((row) => row.map(field).join(',')).join(lineBreak) + lineBreak;

describe('CsvRowScanner', () => {
  it('splits a row into fields and ends it at LF, CRLF or a lone CR', () => {
    expect(scanOnce('a,b,c\nnext')).toMatchObject({ status: 'row', fields: ['a', 'b', 'c'], end: 6, lineBreaks: 1 });
    expect(scanOnce('a,b\r\nnext')).toMatchObject({ fields: ['a', 'b'], end: 5, lineBreaks: 1 });
    expect(scanOnce('a,b\rnext')).toMatchObject({ fields: ['a', 'b'], end: 4, lineBreaks: 1 });
    expect(scanOnce('a,,')).toMatchObject({ fields: ['a', '', ''], end: 3, lineBreaks: 0 });
  });

  it('reads quoted fields with delimiters, doubled quotes and line breaks, counting the breaks', () => {
    const row = scanOnce('"1, rue ""Haute""","Chaussée 80\n2003 Antwerpen\r\nBE\rold Mac",x\nnext');
    expect(row).toMatchObject({ fields: ['1, rue "Haute"', 'Chaussée 80\n2003 Antwerpen\r\nBE\rold Mac', 'x'], lineBreaks: 4, stray: -1 });
  });

  it('keeps a quote inside an unquoted field as text, and reports text after a closing quote', () => {
    expect(scanOnce('5" screen,b\n')).toMatchObject({ fields: ['5" screen', 'b'], stray: -1 });
    expect(scanOnce('a,"quoted"tail,c\n')).toMatchObject({ fields: ['a', 'quoted', 'c'], stray: 1 });
  });

  it('asks for more data rather than guess at the end of a buffer', () => {
    expect(scanOnce('a,b', false).status).toBe('incomplete');
    expect(scanOnce('a,"b\nc', false).status).toBe('incomplete');
    expect(scanOnce('a,"b"', false).status).toBe('incomplete'); // "" may follow
    expect(scanOnce('a,b\r', false).status).toBe('incomplete'); // LF may follow
    expect(scanOnce('a,"b\nc', true).status).toBe('unclosed');
  });

  it('tells blank rows, of nothing or of delimiters only', () => {
    const scanner = new CsvRowScanner(COMMA);
    for (const [text, blank] of [['\n', true], [',,,\n', true], ['"",\n', true], [',x,\n', false]] as const) {
      scanner.scan(Buffer.from(text), 0, text.length, true);
      expect(scanner.isBlank()).toBe(blank);
    }
  });

  it('round-trips any table written as RFC 4180, fields of many columns included', () => {
    const value = fc.string({ unit: fc.constantFrom('a', 'é', '"', ',', '\n', '\r', ' ', ';', '東'), maxLength: 8 });
    // A single empty field would be a blank line; the writer quotes it, the reader keeps it.
    const table = fc.array(fc.array(value, { minLength: 1, maxLength: 90 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(table, fc.constantFrom('\n', '\r\n'), (rows, lineBreak) => {
        expect(scanAll(toCsv(rows, lineBreak))).toEqual(rows);
      }),
    );
  });

  it('gives the same rows whatever the buffer ends are, asking for more until a row is whole', () => {
    const value = fc.string({ unit: fc.constantFrom('a', '"', ',', '\n', '\r'), maxLength: 5 });
    const table = fc.array(fc.array(value, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(table, fc.integer({ min: 1, max: 40 }), (rows, step) => {
        const buf = Buffer.from(toCsv(rows, '\r\n'));
        const scanner = new CsvRowScanner(COMMA);
        const scanned: string[][] = [];
        // Data arrives `step` bytes at a time; a row is scanned again from its start when more comes.
        for (let pos = 0, limit = Math.min(step, buf.length); pos < buf.length; ) {
          const status = scanner.scan(buf, pos, limit, limit === buf.length);
          if (status === 'incomplete') {
            limit = Math.min(limit + step, buf.length);
            continue;
          }
          expect(status).toBe('row');
          scanned.push(fieldsOf(scanner, buf));
          pos = scanner.end;
        }
        expect(scanned).toEqual(rows);
      }),
    );
  });
});

describe('detectDelimiter', () => {
  const detect = (header: string) => String.fromCharCode(detectDelimiter(Buffer.from(header), 0, header.length));

  it('picks the delimiter found most often outside quotes in the first line', () => {
    expect(detect('order_id,email,name\n')).toBe(',');
    expect(detect('id_order;reference;"email, as typed";firstname\na,b,c,d,e,f,g\n')).toBe(';');
    expect(detect('ID\tName\tCustomer Email\r\n')).toBe('\t');
  });

  it('falls back to a comma for a single column', () => {
    expect(detect('email\nx@example.com\n')).toBe(',');
  });
});

describe('nextLineStart', () => {
  it('skips past the first line break, CRLF as one', () => {
    const buf = Buffer.from('ab\r\ncd\ref\ngh');
    expect(nextLineStart(buf, 0, buf.length)).toBe(4);
    expect(nextLineStart(buf, 4, buf.length)).toBe(7);
    expect(nextLineStart(buf, 7, buf.length)).toBe(10);
    expect(nextLineStart(buf, 10, buf.length)).toBe(-1);
  });
});
