import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { importDirectories, importFile } from './import-files.ts';

const root = mkdtempSync(join(tmpdir(), 'tocsin-import-dirs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'imports', 'logs'), { recursive: true });
mkdirSync(join(root, 'secret'));
writeFileSync(join(root, 'imports', 'orders.csv'), 'x');
writeFileSync(join(root, 'imports', 'logs', 'access.log'), 'x');
writeFileSync(join(root, 'secret', 'key.pem'), 'x');
symlinkSync(join(root, 'secret', 'key.pem'), join(root, 'imports', 'innocent.csv'));
symlinkSync(join(root, 'secret'), join(root, 'imports', 'more'));
symlinkSync(join(root, 'imports', 'orders.csv'), join(root, 'imports', 'alias.csv'));
const dirs = importDirectories([join(root, 'imports')]);

it('finds files under the import directories, by relative or absolute path, as real paths', () => {
  expect(importFile(dirs, 'orders.csv', 'path')).toBe(join(dirs[0], 'orders.csv'));
  expect(importFile(dirs, 'logs/access.log', 'logs[0]')).toBe(join(dirs[0], 'logs', 'access.log'));
  expect(importFile(dirs, join(root, 'imports', 'logs', '..', 'orders.csv'), 'path')).toBe(join(dirs[0], 'orders.csv'));
  expect(importFile(dirs, 'alias.csv', 'path')).toBe(join(dirs[0], 'orders.csv'));
});

it.each(['../secret/key.pem', join(root, 'secret', 'key.pem'), 'innocent.csv', 'more/key.pem', 'logs', '/etc/passwd', 'missing.csv', 'orders.csv\0.txt', ''])('refuses %j', (name) => {
  expect(() => importFile(dirs, name, 'path')).toThrow(expect.objectContaining({ exitCode: 2 }));
});

it('refuses a path when no import directory is configured, and a directory that is not one', () => {
  expect(() => importFile([], 'orders.csv', 'path')).toThrow(expect.objectContaining({ code: 'NO_IMPORT_DIR' }));
  expect(() => importDirectories([join(root, 'imports', 'orders.csv')])).toThrow(expect.objectContaining({ code: 'BAD_IMPORT_DIR' }));
});
