import { AppError } from '@toktra/core';
import { type Principal, reachOf } from './permissions.js';

export interface UsageScopeFilter {
  user_id?: string | undefined;
  department_id?: string | undefined;
}

/**
 * Narrows a usage filter to what the principal may see; call it in every handler that reads
 * usage. Employees always get `user_id = self`; managers get their department subtree (a
 * `user_id` outside it then simply matches nothing, and a foreign department answers 404 like
 * any id the caller cannot see). Org-wide principals pass through unchanged.
 */
export function scopeUsageFilter<F extends UsageScopeFilter>(principal: Principal, filter: F): F {
  switch (reachOf(principal)) {
    case 'org':
      return filter;
    case 'self':
      if (filter.user_id && filter.user_id !== principal.userId) {
        throw new AppError('not_found', 'user not found');
      }
      if (filter.department_id) throw new AppError('not_found', 'department not found');
      return { ...filter, user_id: principal.userId };
    case 'subtree': {
      const subtree = principal.departmentIds ?? [];
      if (filter.department_id && !subtree.includes(filter.department_id)) {
        throw new AppError('not_found', 'department not found');
      }
      const root = subtree[0];
      if (!root) return { ...filter, user_id: principal.userId };
      return { ...filter, department_id: filter.department_id ?? root };
    }
  }
}
