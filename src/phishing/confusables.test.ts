import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compactConfusables, confusablesCount, confusablesHeader, skeleton } from './confusables.ts';

const TABLE = readFileSync(new URL('./data/confusables.tsv', import.meta.url), 'utf8');
const README = readFileSync(new URL('./data/README.md', import.meta.url), 'utf8');
// The original sits beside the repository in ../shared (developers' machines and CI); a user's copy has only the table.
const ORIGINAL = new URL('../../../shared/data/unicode/confusables.txt', import.meta.url);

describe('the shipped confusables table', () => {
  it('states the version and SHA-256 of its source, as its README does, and holds every mapping', () => {
    const sha256 = /SHA-256 ([0-9a-f]{64})/.exec(TABLE)?.[1];
    expect(TABLE).toContain('version 17.0.0, dated 2025-07-22');
    expect(sha256).toBeDefined();
    expect(README).toContain(sha256);
    expect(README).toContain('version 17.0.0, dated 2025-07-22');
    expect(confusablesCount()).toBe(6565);
  });

  it.skipIf(!existsSync(ORIGINAL))('is what compactConfusables makes of the original confusables.txt', () => {
    const bytes = readFileSync(ORIGINAL);
    const text = bytes.toString('utf8');
    const { version, date, total } = confusablesHeader(text);
    expect({ version, date, total }).toEqual({ version: '17.0.0', date: '2025-07-22', total: 6565 });
    expect(compactConfusables(text, { version, date, sha256: createHash('sha256').update(bytes).digest('hex') })).toBe(TABLE);
  });
});

describe('skeleton', () => {
  it('maps confusable characters to their prototypes, after and before NFD', () => {
    expect(skeleton('раураl')).toBe(skeleton('paypal')); // Cyrillic р, а, у
    expect(skeleton('m')).toBe('rn');
    expect(skeleton('0')).toBe('O');
    expect(skeleton('1')).toBe('l');
    expect(skeleton('é')).toBe('e\u0301');
    expect(skeleton('ﬁ')).toBe('fi');
    expect(skeleton('gadgetshop')).not.toBe(skeleton('gadgetsh0p'));
  });

  it('changes only the characters the table lists', () => {
    expect(skeleton('')).toBe('');
    expect(skeleton('boutique-exemple')).toBe('boutique-exernple');
    expect(skeleton('東京')).toBe('東京');
  });
});
