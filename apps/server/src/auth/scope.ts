import { AppError } from '@toktra/core';
import { type Principal, reachOf } from './permissions.js';

/**
 * The tenant and reach a service reads people's data within, built from the principal. Services
 * that read people's data take a Scope rather than a bare org id, so the reach cannot be forgotten.
 */
export type Scope =
  | { orgId: string; reach: 'org' }
  | { orgId: string; reach: 'subtree'; userId: string; departmentIds: string[] }
  | { orgId: string; reach: 'self'; userId: string };

export function scopeOf(principal: Principal): Scope {
  const reach = reachOf(principal);
  if (reach === 'org') return { orgId: principal.orgId, reach };
  const userId = principal.userId;
  if (!userId) throw new AppError('forbidden', 'no person behind this principal');
  if (reach === 'self') return { orgId: principal.orgId, reach, userId };
  return { orgId: principal.orgId, reach, userId, departmentIds: principal.departmentIds ?? [] };
}

/** A Scope that reaches the whole org: for jobs and system work with no person asking. */
export function orgScope(orgId: string): Scope {
  return { orgId, reach: 'org' };
}

/** Whether a user (with their department) lies within the scope's reach. */
export function inReach(
  scope: Scope,
  subject: { userId?: string | null; departmentId?: string | null },
): boolean {
  switch (scope.reach) {
    case 'org':
      return true;
    case 'self':
      return !!subject.userId && subject.userId === scope.userId;
    case 'subtree':
      if (subject.userId && subject.userId === scope.userId) return true;
      return !!subject.departmentId && scope.departmentIds.includes(subject.departmentId);
  }
}

/**
 * The usage filter a scope allows, as `queryUsage` takes it: employees themselves, managers their
 * subtree root (or only themselves without a department). A requested department or user outside
 * the reach is a 404, like any id the caller cannot see.
 */
export function usageFilterOf(
  scope: Scope,
  requested: { userId?: string | undefined; departmentId?: string | undefined } = {},
): { userId?: string; departmentId?: string } {
  const out: { userId?: string; departmentId?: string } = {};
  if (requested.userId) out.userId = requested.userId;
  if (requested.departmentId) out.departmentId = requested.departmentId;
  if (scope.reach === 'org') return out;
  if (scope.reach === 'self') {
    if (requested.userId && requested.userId !== scope.userId)
      throw new AppError('not_found', 'user not found');
    if (requested.departmentId) throw new AppError('not_found', 'department not found');
    return { userId: scope.userId };
  }
  if (requested.departmentId && !scope.departmentIds.includes(requested.departmentId)) {
    throw new AppError('not_found', 'department not found');
  }
  const root = scope.departmentIds[0];
  if (!root) return { userId: scope.userId };
  return { ...out, departmentId: requested.departmentId ?? root };
}
