import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Category } from '../domain/index.ts';
import { matchLocale, PHRASES_FILE, STATEMENTS_FILE } from '../notices/index.ts';
import { BOUNTY_WORDS_FILE, BUILT_IN_TEMPLATES_DIR, PORTAL_WORDS_FILE } from '../lib/template-dirs.ts';

/** A locale's words: nested objects of strings, as in locales/<locale>/portal.json. */
export interface Words {
  language_name: string;
  [group: string]: string | Record<string, string>;
}

/** The locale pages fall back to when nothing the visitor asks for is offered. */
export const DEFAULT_LOCALE = 'en-GB';

/**
 * Every locale the portal speaks, read once: those of the built-in locales that have a
 * portal.json beside their notice templates.
 */
export const PORTAL_WORDS: ReadonlyMap<string, Words> = loadWords(BUILT_IN_TEMPLATES_DIR);

/** How each portal locale names the data categories: the notices' own phrases (categories.json). */
export const CATEGORY_PHRASES: ReadonlyMap<string, Readonly<Record<Category, string>>> = localeFiles(PHRASES_FILE);

/** Phrases that state a fact only a record allows (statements.json, as notices are checked against). */
export const STATEMENTS: ReadonlyMap<string, Readonly<Record<string, string[]>>> = localeFiles(STATEMENTS_FILE);

function localeFiles<T>(file: string): Map<string, T> {
  return new Map([...PORTAL_WORDS.keys()].map((locale) => [locale, JSON.parse(readFileSync(join(BUILT_IN_TEMPLATES_DIR, locale, file), 'utf8')) as T]));
}

/** The bug bounty pages' words (locales/<locale>/bounty.json), in the same locales. */
export const BOUNTY_WORDS: ReadonlyMap<string, Record<string, Record<string, string>>> = loadWords(BUILT_IN_TEMPLATES_DIR, BOUNTY_WORDS_FILE) as Map<string, never>;

/** Each locale's words from one words file (portal.json, bounty.json) of the locales that have it. */
export function loadWords(dir: string, name = PORTAL_WORDS_FILE): Map<string, Words> {
  const words = new Map<string, Words>();
  for (const locale of readdirSync(dir).sort()) {
    const file = join(dir, locale, name);
    if (existsSync(file)) words.set(locale, JSON.parse(readFileSync(file, 'utf8')) as Words);
  }
  return words;
}

/**
 * The locale to answer in: the one the visitor picked with the switcher (`?lang=`), else the
 * first of their Accept-Language that the portal speaks (by weight; `fr-BE` gets `fr`, `en`
 * gets the first English), else the default.
 */
export function pickLocale(chosen: string | undefined, acceptLanguage: string | undefined): string {
  const offered = [...PORTAL_WORDS.keys()];
  const wanted = [...(chosen ? [chosen] : []), ...acceptedLanguages(acceptLanguage ?? '')];
  for (const tag of wanted) {
    const match = matchLocale(tag, offered);
    if (match) return match;
  }
  return DEFAULT_LOCALE;
}

/** The tags of an Accept-Language header, most wanted first; `*` and q=0 are left out, as is anything unparsable. */
function acceptedLanguages(header: string): string[] {
  return header
    .slice(0, 1024)
    .split(',')
    .map((item, index) => {
      const [tag, ...params] = item.trim().split(';');
      const q = params.map((param) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter(({ tag, q }) => tag !== '' && tag !== '*' && q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map(({ tag }) => tag);
}
