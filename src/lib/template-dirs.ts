import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Notices and authority reports read their words from the same places: the built-in locales,
// overridden file by file by an incident's own templates.

export const BUILT_IN_TEMPLATES_DIR = fileURLToPath(new URL('../../locales/', import.meta.url));

/** Where an incident's own templates live: they override the built-in ones file by file. */
export function incidentTemplatesDir(dataDir: string, incidentId: string): string {
  return join(dataDir, 'templates', incidentId);
}
