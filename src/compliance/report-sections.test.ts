import { describe, expect, it } from 'vitest';
import { sectionAssignment, sectionText, writableSection } from './report-sections.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('section text', () => {
  it('keeps paragraphs, drops a BOM, CRs, tabs and runs of blank lines', () => {
    expect(sectionText(bytes('\uFEFFFirst line\r\nsame paragraph\t end\r\n\r\n\r\n\r\nSecond.\n'), 'f.txt')).toBe('First line\nsame paragraph  end\n\nSecond.');
  });

  it('refuses control characters with their line, bytes that are not UTF-8, and an empty file', () => {
    expect(() => sectionText(bytes('ok\nred \u001b[31m\n'), 'f.txt')).toThrow(expect.objectContaining({ code: 'BAD_SECTION_TEXT', message: 'f.txt, line 2: holds a control character; a report section is plain text' }));
    expect(() => sectionText(bytes('bidi \u202e'), 'f.txt')).toThrow(/line 1: holds a control character/);
    expect(() => sectionText(new Uint8Array([0x66, 0xff, 0x66]), 'f.txt')).toThrow(/not UTF-8 text/);
    expect(() => sectionText(bytes(' \n\n '), 'f.txt')).toThrow(/is empty; to remove a section's text use --clear/);
  });

  it('takes SECTION=FILE for the sections a person writes only', () => {
    expect(sectionAssignment('Consequences=a=b.txt')).toEqual({ section: 'consequences', file: 'a=b.txt' });
    expect(() => sectionAssignment('records=x.txt')).toThrow(expect.objectContaining({ code: 'BAD_REPORT_SECTION', message: expect.stringContaining('SECTION one of nature, subjects, contact') }));
    expect(() => sectionAssignment('x.txt')).toThrow(/write SECTION=FILE/);
    expect(writableSection(' DELAY ')).toBe('delay');
    expect(() => writableSection('title')).toThrow(/'title' is not a section a person writes/);
  });
});
