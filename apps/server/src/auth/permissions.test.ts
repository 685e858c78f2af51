import { describe, expect, it } from 'vitest';
import { can, type Principal, permissionsOf } from './permissions.js';
import { scopeOf, usageFilterOf } from './scope.js';

const org = '00000000-0000-4000-8000-000000000001';
const user = (role: Principal['role'], extra: Partial<Principal> = {}): Principal => ({
  orgId: org,
  kind: 'user',
  userId: 'u-self',
  role,
  scopes: ['read'],
  ...extra,
});

describe('can', () => {
  it('gives owners and admins everything, org-wide', () => {
    expect(can(user('admin'), 'devices:revoke', { userId: 'someone' })).toBe(true);
    expect(permissionsOf(user('owner'))).toContain('settings:manage');
  });

  it('keeps auditors read-only', () => {
    expect(can(user('auditor'), 'usage:read', { userId: 'x' })).toBe(true);
    expect(can(user('auditor'), 'devices:revoke')).toBe(false);
    expect(can(user('auditor'), 'enroll_tokens:create')).toBe(false);
  });

  it('limits managers to their subtree and themselves', () => {
    const manager = user('manager', { departmentIds: ['d-root', 'd-child'] });
    expect(can(manager, 'usage:read', { departmentId: 'd-child' })).toBe(true);
    expect(can(manager, 'usage:read', { departmentId: 'd-other' })).toBe(false);
    expect(can(manager, 'usage:read', { userId: 'u-self' })).toBe(true);
    expect(can(manager, 'devices:revoke')).toBe(false);
  });

  it('limits employees to themselves and keeps them off admin pages', () => {
    const employee = user('employee');
    expect(can(employee, 'dashboard:view')).toBe(false);
    expect(can(employee, 'usage:read', { userId: 'u-self' })).toBe(true);
    expect(can(employee, 'usage:read', { userId: 'u-other' })).toBe(false);
  });

  it('maps API key scopes to permissions', () => {
    const ingest: Principal = { orgId: org, kind: 'api_key', role: 'admin', scopes: ['ingest'] };
    expect(permissionsOf(ingest)).toEqual(['events:ingest']);
    const read: Principal = { ...ingest, scopes: ['read'] };
    expect(can(read, 'usage:read', { userId: 'anyone' })).toBe(true);
    expect(can(read, 'devices:revoke')).toBe(false);
  });
});

describe('usageFilterOf (the reach queryUsage applies)', () => {
  it('forces employees onto themselves and hides others as not found', () => {
    const self = scopeOf(user('employee'));
    expect(usageFilterOf(self, {})).toEqual({ userId: 'u-self' });
    expect(() => usageFilterOf(self, { userId: 'u-other' })).toThrow(/not found/);
    expect(() => usageFilterOf(self, { departmentId: 'd-root' })).toThrow(/not found/);
  });

  it('narrows managers to their subtree', () => {
    const manager = scopeOf(user('manager', { departmentIds: ['d-root', 'd-child'] }));
    expect(usageFilterOf(manager, {})).toEqual({ departmentId: 'd-root' });
    expect(usageFilterOf(manager, { departmentId: 'd-child' })).toEqual({ departmentId: 'd-child' });
    expect(() => usageFilterOf(manager, { departmentId: 'd-other' })).toThrow(/not found/);
  });

  it('passes org-wide principals through', () => {
    expect(usageFilterOf(scopeOf(user('admin')), { userId: 'x' })).toEqual({ userId: 'x' });
  });
});
