import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureWritableDirectory, isInside } from '../lib/directory.ts';
import { invalidInput } from '../lib/errors.ts';
import { writePrivateFile } from '../lib/private-file.ts';

/** Marks a directory as made by `tocsin demo`, so a later demo may wipe it and nothing else. */
const MARKER = '.tocsin-demo';

export interface DemoWorkspace {
  root: string;
  /** The generated shop: orders, logs, rules, truth. */
  shop: string;
  /** The demo's own database and outputs. */
  data: string;
}

/** Empties (or creates) the demo workspace; refuses a non-empty directory the demo did not make. */
export function freshWorkspace(dir: string): DemoWorkspace {
  const root = resolve(dir);
  if (existsSync(root) && readdirSync(root).length > 0) {
    if (!existsSync(join(root, MARKER))) {
      throw invalidInput('DEMO_WORKSPACE', `${root} is not empty and was not made by 'tocsin demo'; choose another with --dir`);
    }
    rmSync(root, { recursive: true, force: true });
  }
  ensureWritableDirectory(root, 'the demo workspace', 'choose another with --dir');
  writePrivateFile(join(root, MARKER), 'Made by `tocsin demo`; the next demo run deletes this directory.\n');
  return { root, shop: join(root, 'shop'), data: join(root, 'data') };
}

/**
 * Empties (or creates) the workspace DIR, as freshWorkspace does, and copies into it the one an
 * earlier `tocsin demo` made at FROM, as it stands. Refuses a FROM the demo did not make, and a
 * DIR that is FROM, or inside it, or holds it (emptying DIR would delete what is to be copied).
 */
export function copiedWorkspace(from: string, dir: string): DemoWorkspace {
  const source = resolve(from);
  if (!existsSync(join(source, MARKER))) {
    throw invalidInput('DEMO_WORKSPACE', `${source} is not a workspace made by 'tocsin demo'; give --from the --dir of an earlier demo`);
  }
  const target = resolve(dir);
  if (target === source || isInside(target, source) || isInside(source, target)) {
    throw invalidInput('DEMO_WORKSPACE', `--dir ${target} and --from ${source} overlap; choose another --dir`);
  }
  const workspace = freshWorkspace(dir);
  cpSync(source, workspace.root, { recursive: true });
  return workspace;
}
