import { type Permission, PERMISSIONS } from '../domain/index.ts';
import { invalidInput } from '../lib/errors.ts';

export { type Permission, PERMISSIONS };

export const ROLES = ['admin', 'responder', 'privacy', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Each role's permissions. A responder finds out who was affected (and triages the bug bounty's reports), a privacy officer tells them
 * and the regulator; both need the people's data to do it. A viewer reads every incident with
 * those fields masked. Only an admin manages accounts, settings and reads the security log. Only a
 * privacy officer approves notices: the second pair of eyes on what customers are told is the
 * privacy function's, not the administrator's.
 */
const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS.filter((permission) => permission !== 'notices:approve'),
  responder: ['incidents:read', 'incidents:write', 'records:write', 'uploads:write', 'scoping:write', 'personal_data:read', 'bounty:triage'],
  privacy: ['incidents:read', 'uploads:write', 'notices:write', 'notices:approve', 'delivery:write', 'compliance:write', 'personal_data:read'],
  viewer: ['incidents:read'],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** A role typed by a user, or an invalid-input error listing the roles. */
export function parseRole(value: string): Role {
  if (!isRole(value)) throw invalidInput('BAD_ROLE', `'${value}' is not a role; use one of ${ROLES.join(', ')}`);
  return value;
}
