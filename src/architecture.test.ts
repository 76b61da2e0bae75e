import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Every TypeScript file below a folder of the repository, as a path relative to the repository. */
function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file).split(sep).join('/'))
    .sort();
}

/**
 * The module specifiers a file imports: static imports and re-exports (type-only ones too) and
 * dynamic `import('…')`. Comments are removed first so that prose about imports does not count.
 */
function importsOf(file: string): string[] {
  const code = readFileSync(join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|(?<![:'"`\\])\/\/.*$/gm, '');
  const specifiers = [...code.matchAll(/^\s*(?:import|export)\b[^;'"`]*?\bfrom\s*'([^']+)'|^\s*import\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm)];
  return specifiers.map((match) => match[1] ?? match[2] ?? match[3]);
}

/** Where a relative specifier leads, relative to the repository; null for a package or a `node:` module. */
function target(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  return relative(ROOT, resolve(ROOT, dirname(file), specifier)).split(sep).join('/');
}

describe('src/domain', () => {
  // The browser console imports these definitions: a `node:` module or any other folder of src/
  // (which may reach one) would break its build or pull server code into the page.
  it('imports neither a node: module nor anything outside src/domain', () => {
    const offending = sourceFiles('src/domain')
      .filter((file) => !file.endsWith('.test.ts'))
      .flatMap((file) => importsOf(file).map((specifier) => ({ file, specifier })))
      .filter(({ file, specifier }) => !target(file, specifier)?.startsWith('src/domain/'))
      .map(({ file, specifier }) => `${file} imports ${specifier}`);
    expect(offending).toEqual([]);
  });
});
