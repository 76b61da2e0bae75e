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

/**
 * The portal's answer to "Was I affected?", in each locale's directory beside the notice
 * templates. Not part of a notice either: fingerprints and an incident's own templates leave them out.
 */
export const ANSWER_PART_FILES = { subject: 'answer.subject.liquid', text: 'answer.txt.liquid', html: 'answer.html.liquid' } as const;

/** Files of a locale directory that belong to the portal, not to the notices. */
export function isPortalFile(name: string): boolean {
  return name === PORTAL_WORDS_FILE || (Object.values(ANSWER_PART_FILES) as string[]).includes(name);
}
