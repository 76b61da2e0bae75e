export const PERMISSIONS = [
  'incidents:read',
  'incidents:write',
  'records:write',
  'uploads:write',
  'scoping:write',
  'notices:write',
  'notices:approve',
  'delivery:write',
  'compliance:write',
  'personal_data:read',
  'users:manage',
  'security_log:read',
  'settings:manage',
  'bounty:triage',
] as const;

/**
 * What a route may need. `incidents:write` creates and updates incidents and their timeline;
 * `records:write` and `scoping:write` cover imports, scope runs, detection and purges;
 * `uploads:write` sends a file to the server for one of them, or for a bounce import;
 * `personal_data:read` shows the affected people's fields unmasked; `bounty:triage` reads the
 * bug bounty's reports (with their researchers' addresses and attachments) and triages them;
 * `notices:approve` approves a notice set built by another account (the four-eyes rule).
 * Which role holds which is src/accounts/roles.ts's; they are here so browser code can name them.
 */
export type Permission = (typeof PERMISSIONS)[number];
