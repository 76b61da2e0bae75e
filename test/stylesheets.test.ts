import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import postcss from 'postcss';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every stylesheet Tocsin serves: the console's, the portal's, the API docs'. */
const STYLESHEETS = ['src', 'web/src'].flatMap((dir) =>
  readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.css'))
    .map((file) => relative(ROOT, join(ROOT, dir, file))),
);

// A browser skips what it cannot parse without a word: a closing brace lost in a merge once made
// every rule after it part of the one before, and the console's notice text 4,700 px wide.
describe.each(STYLESHEETS)('%s', (file) => {
  const source = readFileSync(join(ROOT, file), 'utf8');

  it('parses, every block closed', () => {
    expect(() => postcss.parse(source, { from: file })).not.toThrow();
  });

  it('nests no rule in another (our stylesheets do not use CSS nesting: one would be a lost brace)', () => {
    const nested: string[] = [];
    postcss.parse(source, { from: file }).walkRules((rule) => {
      if (rule.parent?.type === 'rule') nested.push(`line ${rule.source?.start?.line}: ${rule.selector}`);
    });
    expect(nested).toEqual([]);
  });
});

it('finds the stylesheets', () => {
  expect(STYLESHEETS).toEqual(expect.arrayContaining(['web/src/console.css', 'src/portal/pages/portal.css']));
});
