import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashFile } from './hash.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-hash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hashFile', () => {
  it('gives the SHA-256 and size of a file', async () => {
    const path = join(dir, 'abc.log');
    writeFileSync(path, 'abc');
    expect(await hashFile(path)).toEqual({ sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', bytes: 3 });
  });

  it('streams a file larger than its read size', async () => {
    const content = Buffer.alloc(3 * 1024 * 1024 + 17, 'access log line\n');
    const path = join(dir, 'large.log');
    writeFileSync(path, content);
    const expected = { sha256: createHash('sha256').update(content).digest('hex'), bytes: content.length };
    const heard: number[] = [];
    expect(await hashFile(path, { onBytes: (bytes) => heard.push(bytes) })).toEqual(expected);
    expect(heard).toEqual([1, 2, 3, 4].map((chunks) => Math.min(chunks * 1024 * 1024, content.length)));
    expect(await hashFile(path, { blocking: true })).toEqual(expected);
  });

  it('fails on a path that is not a readable file', async () => {
    await expect(hashFile(join(dir, 'missing.log'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('hashes an empty file', async () => {
    const path = join(dir, 'empty.log');
    writeFileSync(path, '');
    expect((await hashFile(path)).bytes).toBe(0);
  });
});
