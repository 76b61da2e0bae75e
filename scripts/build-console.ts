/**
 * Builds the staff console (web/ → web/dist) when its sources changed since the last build:
 *
 *   node scripts/build-console.ts        (npm run build:console; npm start runs it first)
 *
 * The SHA-256 of web/'s sources and of the lockfile is kept beside the build, so an unchanged
 * console costs a hash, not a build. The browser tests call ensureConsoleBuilt() the same way.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withLock } from './lock.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEB = join(ROOT, 'web');
const DIST = join(WEB, 'dist');
const STAMP = join(DIST, '.sources-sha256');

/** One hash over every file of web/ but its build, with their paths, and the lockfile (a new library version is a new console). */
export function consoleSourcesHash(): string {
  const hash = createHash('sha256');
  const files = readdirSync(WEB, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !path.startsWith(DIST + sep))
    .sort();
  for (const path of [...files, join(ROOT, 'package-lock.json')]) {
    hash.update(relative(ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Builds web/dist unless it was built from these very sources; says which. One build at a time
 * per checkout (the browser test files, each in its own worker process, all call this at once on a
 * fresh clone): Vite empties web/dist first, so a second build would delete what the first wrote,
 * and the wait costs less than building twice.
 */
export async function ensureConsoleBuilt(): Promise<'built' | 'up to date'> {
  const sources = consoleSourcesHash();
  if (builtFrom(sources)) return 'up to date';
  // Outside web/, whose every file is hashed.
  const lock = join(tmpdir(), `tocsin-console-build-${createHash('sha256').update(WEB).digest('hex').slice(0, 16)}.lock`);
  return withLock(lock, async () => {
    if (builtFrom(sources)) return 'up to date';
    // Loaded only to build: the server and CLI never need Vite.
    const { build } = await import('vite');
    await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn' });
    writeFileSync(STAMP, `${sources}\n`);
    return 'built';
  });
}

function builtFrom(sources: string): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === sources;
}

if (import.meta.main) {
  const outcome = await ensureConsoleBuilt();
  process.stderr.write(`console ${outcome}: ${relative(process.cwd(), DIST) || DIST}\n`);
}
