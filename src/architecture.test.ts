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

/** The folder of src/ a path belongs to (`scoping` for src/scoping/scan.ts), or null outside one (src/context.ts, bin/). */
function folderOf(path: string): string | null {
  const parts = path.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : null;
}

/**
 * src/lib holds small helpers that several modules share, each file on its own, with no feature
 * of its own: a front door would only make every user load all of them. Every other folder is a
 * module (src/db and src/domain included) and is entered through its index.ts.
 */
const OPEN_FOLDERS = new Set(['lib']);

/** Every relative import of the TypeScript files below the given folders. */
function relativeImports(...folders: string[]): { file: string; specifier: string; to: string }[] {
  return folders
    .flatMap(sourceFiles)
    .flatMap((file) => importsOf(file).map((specifier) => ({ file, specifier, to: target(file, specifier) })))
    .filter((entry): entry is { file: string; specifier: string; to: string } => entry.to !== null);
}

describe('module front doors', () => {
  it('every import from another folder of src/ goes through that folder’s index.ts', () => {
    const bypassing = relativeImports('src', 'bin')
      .filter(({ file, to }) => {
        const folder = folderOf(to);
        return folder !== null && folder !== folderOf(file) && !OPEN_FOLDERS.has(folder) && to !== `src/${folder}/index.ts`;
      })
      .map(({ file, specifier }) => `${file} imports ${specifier}: import it from its folder’s index.ts (export it there if it is missing)`);
    expect(bypassing).toEqual([]);
  });

  // A folder importing its own front door makes a cycle through it: half-loaded bindings at start-up.
  it('files inside a folder import each other directly, never their own index.ts', () => {
    const inward = relativeImports('src')
      .filter(({ file, to }) => folderOf(file) !== null && to === `src/${folderOf(file)}/index.ts`)
      .map(({ file, specifier }) => `${file} imports ${specifier}`);
    expect(inward).toEqual([]);
  });

  it('every module folder has a front door', () => {
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((entry) => entry.isDirectory() && !OPEN_FOLDERS.has(entry.name));
    expect(folders.filter((folder) => !sourceFiles(`src/${folder.name}`).includes(`src/${folder.name}/index.ts`)).map((folder) => folder.name)).toEqual([]);
  });
});

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
