import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TocsinError } from '../lib/errors.ts';
import { scoreCvss } from './cvss.ts';

const FIXTURE = JSON.parse(readFileSync(new URL('../../test/fixtures/cvss/first-examples.json', import.meta.url), 'utf8')) as {
  examples: { name: string; vector: string; score: number; severity: string }[];
};

describe('CVSS scores', () => {
  it.each(FIXTURE.examples)("FIRST's example $name scores $score ($severity)", ({ vector, score, severity }) => {
    const result = scoreCvss(vector);
    expect({ version: result.version, score: result.score, severity: result.severity }).toEqual({ version: vector.slice(5, 8), score, severity });
  });

  it('scores threat and environmental metrics when given', () => {
    expect(scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C').score).toBe(8.8);
    expect(scoreCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U').score).toBe(8.1);
    expect(scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N').severity).toBe('none');
  });

  const refused: [vector: string, named: RegExp][] = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', /base metric A is missing/],
    ['CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', /base metric AT is missing/],
    ['CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /metric AV has the value "Q"; it takes N, A, L, P/],
    ['CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /metric AV has the value "X"/],
    ['CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /metric AV is given twice/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1', /"ZZ" is not a CVSS 3.1 metric/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/', /"" is not a CVSS 3.1 metric/],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /starts with "CVSS:3.0"/],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', /starts with "AV:N"/],
    ['CVSS:3.1/AV:N\u001b[2J/AC:L', /"AV:N\?\[2J"|value "N\?\[2J"/],
    ['', /starts with ""/],
  ];
  it.each(refused)('refuses %j, naming what is wrong', (vector, named) => {
    let error: unknown;
    try {
      scoreCvss(vector);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TocsinError);
    expect((error as TocsinError).kind).toBe('invalid');
    expect((error as TocsinError).code).toBe('CVSS_INVALID');
    expect((error as TocsinError).message).toMatch(named);
    expect((error as TocsinError).message).not.toContain('\u001b');
  });
});
