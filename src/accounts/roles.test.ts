import { describe, expect, it } from 'vitest';
import { can, parseRole, PERMISSIONS, ROLES } from './roles.ts';

describe('roles', () => {
  it('gives an admin every permission but approving notices', () => {
    expect(PERMISSIONS.filter((permission) => !can('admin', permission))).toEqual(['notices:approve']);
  });

  it('keeps approving notices (the four-eyes rule) to privacy officers', () => {
    expect(ROLES.filter((role) => can(role, 'notices:approve'))).toEqual(['privacy']);
  });

  it('keeps account, settings and security-log permissions to admins', () => {
    for (const role of ROLES.filter((role) => role !== 'admin')) {
      for (const permission of ['users:manage', 'settings:manage', 'security_log:read'] as const) expect(can(role, permission)).toBe(false);
    }
  });

  it('lets a viewer read incidents but not the personal data in them, and change nothing', () => {
    expect(PERMISSIONS.filter((permission) => can('viewer', permission))).toEqual(['incidents:read']);
  });

  it('splits the work between responders and privacy officers', () => {
    expect(can('responder', 'scoping:write')).toBe(true);
    expect(can('responder', 'notices:write')).toBe(false);
    expect(can('privacy', 'delivery:write')).toBe(true);
    expect(can('privacy', 'records:write')).toBe(false);
    expect(can('privacy', 'personal_data:read')).toBe(true);
  });

  it('refuses an unknown role with the list of roles', () => {
    expect(parseRole('privacy')).toBe('privacy');
    expect(() => parseRole('root')).toThrow(/admin, responder, privacy, viewer/);
  });
});
