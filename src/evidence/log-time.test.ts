import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysFromCivil, formatTimeLocal, parseIsoInstant as parseIsoBytes, parseTimeLocal as parseTimeLocalBytes } from './log-time.ts';

const parseTimeLocal = (text: string, at = 0) => parseTimeLocalBytes(Buffer.from(text, 'latin1'), at);
const parseIsoInstant = (text: string) => parseIsoBytes(Buffer.from(text, 'latin1'), 0, text.length);

const instants = fc.integer({ min: Date.UTC(1000, 0, 2), max: Date.UTC(9999, 11, 30) });
const offsets = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });

describe('daysFromCivil', () => {
  it('agrees with Date.UTC over the whole four-digit year range', () => {
    fc.assert(
      fc.property(instants, (ms) => {
        const date = new Date(ms);
        const days = daysFromCivil(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
        expect(days).toBe(Math.floor(ms / 86_400_000));
      }),
    );
  });
});

describe('parseTimeLocal', () => {
  it('reads what formatTimeLocal writes, at any offset', () => {
    fc.assert(
      fc.property(instants, offsets, (ms, offset) => {
        const seconds = Math.floor(ms / 1000) * 1000;
        expect(parseTimeLocal(formatTimeLocal(seconds, offset))).toBe(seconds);
      }),
    );
  });

  it('reads at an offset into the text and returns NaN past its end', () => {
    expect(parseTimeLocal('[30/Oct/2019:08:00:01 +0800]', 1)).toBe(Date.UTC(2019, 9, 30, 0, 0, 1));
    expect(parseTimeLocal('30/Oct/2019:08:00:01 +080')).toBeNaN();
    expect(parseTimeLocal('30/Oct/2019:08:00:01 +0800', 1)).toBeNaN();
  });

  it('checks the date again when it changes after a valid one', () => {
    expect(parseTimeLocal('28/Feb/2019:08:00:01 +0000')).toBe(Date.UTC(2019, 1, 28, 8, 0, 1));
    expect(parseTimeLocal('29/Feb/2019:08:00:01 +0000')).toBeNaN();
    expect(parseTimeLocal('29/Feb/2016:08:00:01 +0000')).toBe(Date.UTC(2016, 1, 29, 8, 0, 1));
    expect(parseTimeLocal('29/Feb/1900:08:00:01 +0000')).toBeNaN();
  });
});

describe('parseIsoInstant', () => {
  it('reads the forms nginx and load balancers write', () => {
    expect(parseIsoInstant('2019-10-30T08:00:01+08:00')).toBe(Date.UTC(2019, 9, 30, 0, 0, 1));
    expect(parseIsoInstant('2019-10-30T08:00:01-0700')).toBe(Date.UTC(2019, 9, 30, 15, 0, 1));
    expect(parseIsoInstant('2019-10-30T00:00:01.123456Z')).toBe(Date.UTC(2019, 9, 30, 0, 0, 1, 123));
    expect(parseIsoInstant('2019-10-30T00:00:01.5Z')).toBe(Date.UTC(2019, 9, 30, 0, 0, 1, 500));
  });

  it('reads a range of a larger buffer', () => {
    const buf = Buffer.from('"2019-10-30T08:00:01+08:00",');
    expect(parseIsoBytes(buf, 1, buf.length - 2)).toBe(Date.UTC(2019, 9, 30, 0, 0, 1));
    expect(parseIsoBytes(buf, 1, buf.length - 1)).toBeNaN();
  });

  it('agrees with Date.parse on generated instants', () => {
    fc.assert(
      fc.property(instants, offsets, (ms, offset) => {
        const local = new Date(ms + offset * 60_000).toISOString().slice(0, -1);
        const pad = (n: number) => String(n).padStart(2, '0');
        const zone = `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
        expect(parseIsoInstant(local + zone)).toBe(ms);
        expect(parseIsoInstant(`${local}Z`)).toBe(Date.parse(`${local}Z`));
      }),
    );
  });

  it('rejects a time without a zone or with fields out of range', () => {
    const invalid = [
      '2019-10-30T08:00:01',
      '2019-10-30 08:00:01Z',
      '2019-13-30T08:00:01Z',
      '2019-10-30T08:60:01Z',
      '2019-10-30T08:00:01.Z',
      '2019-10-30T08:00:01+8',
      '',
    ];
    for (const text of invalid) {
      expect(parseIsoInstant(text), text).toBeNaN();
    }
  });
});
