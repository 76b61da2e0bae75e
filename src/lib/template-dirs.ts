import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Notices and authority reports read their words from the same places: the built-in locales,
// overridden file by file by an incident's own templates.

export const BUILT_IN_TEMPLATES_DIR = fileURLToPath(new URL('../../locales/', import.meta.url));

/** Where an incident's own templates live: they override the built-in ones file by file. */
export function incidentTemplatesDir(dataDir: string, incidentId: string): string {
  return join(dataDir, 'templates', incidentId);
}

/**
 * The customer portal's words, one file in each locale's directory beside the notice templates.
 * They are not part of a notice: template fingerprints and an incident's own templates leave them out.
 */
export const PORTAL_WORDS_FILE = 'portal.json';

/** The bug bounty's public pages' words, in the same places and left out of notices in the same way. */
export const BOUNTY_WORDS_FILE = 'bounty.json';

/** Words files that belong to the public pages, not to any notice. */
export const PAGE_WORDS_FILES: ReadonlySet<string> = new Set([PORTAL_WORDS_FILE, BOUNTY_WORDS_FILE]);

/**
 * The portal's answer to "Was I affected?", in each locale's directory beside the notice
 * templates. Not part of a notice either: fingerprints and an incident's own templates leave them out.
 */
export const ANSWER_PART_FILES = { subject: 'answer.subject.liquid', text: 'answer.txt.liquid', html: 'answer.html.liquid' } as const;

/** The phishing desk's reply to a reporter, with its verdict: beside the answers, and no part of a notice either. */
export const PHISHING_REPLY_PART_FILES = { subject: 'phishing-reply.subject.liquid', text: 'phishing-reply.txt.liquid', html: 'phishing-reply.html.liquid' } as const;

/** Files of a locale directory that belong to the public side (the portal's words and answers, the desk's replies, the bounty's words), not to the notices. */
export function isPortalFile(name: string): boolean {
  return PAGE_WORDS_FILES.has(name) || [...Object.values(ANSWER_PART_FILES), ...Object.values(PHISHING_REPLY_PART_FILES)].includes(name as never);
}

/** The built-in locales that have `file` (a words file), sorted. */
export function localesWith(file: string): string[] {
  return readdirSync(BUILT_IN_TEMPLATES_DIR)
    .filter((locale) => existsSync(join(BUILT_IN_TEMPLATES_DIR, locale, file)))
    .sort();
}
