import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('.', import.meta.url).pathname;

/** Every TypeScript file of src/ but tests and benchmarks, with its path relative to src/. */
function sourceFiles(): { path: string; text: string }[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts') && !/\.(test|bench)\.ts$/.test(path))
    .map((path) => ({ path: relative(SRC, join(SRC, path)), text: readFileSync(join(SRC, path), 'utf8') }));
}

/** The lines of code, without the comment lines (which may well name a command or a variable). */
function codeLines(text: string): { line: number; code: string }[] {
  return text
    .split('\n')
    .map((code, i) => ({ line: i + 1, code }))
    .filter(({ code }) => !/^\s*(\/\/|\/\*|\*)/.test(code));
}

describe('source rules', () => {
  it('names tocsin commands only in the CLI and the demo: services give a structured next step instead', () => {
    const commands = [...readFileSync(join(SRC, 'cli/main.ts'), 'utf8').matchAll(/\['([a-z-]+)', async/g)].map((match) => match[1]);
    expect(commands).toContain('notices');
    const naming = new RegExp(`['"\`]tocsin (${commands.join('|')})\\b`);
    const found = sourceFiles()
      .filter(({ path }) => !path.startsWith('cli/') && !path.startsWith('demo/'))
      .flatMap(({ path, text }) => codeLines(text).filter(({ code }) => naming.test(code)).map(({ line, code }) => `${path}:${line}: ${code.trim()}`));
    expect(found).toEqual([]);
  });

  it('reads the environment only in the config loader', () => {
    const found = sourceFiles()
      .filter(({ path }) => path !== 'config.ts')
      .flatMap(({ path, text }) => codeLines(text).filter(({ code }) => /\bprocess\.env\b/.test(code)).map(({ line, code }) => `${path}:${line}: ${code.trim()}`));
    expect(found).toEqual([]);
  });
});
