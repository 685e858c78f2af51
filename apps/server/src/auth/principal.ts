import { AppError } from '@toktra/core';
import type { Database } from '@toktra/db';
import { authenticateApiKey } from '../api-keys/service.js';
import { type Principal, scopesForRole } from './permissions.js';
import { departmentSubtree, resolveSession } from './sessions.js';

/** The principal behind an API key: it acts org-wide within its scopes. */
export async function principalFromApiKey(db: Database, presented: string): Promise<Principal> {
  const key = await authenticateApiKey(db, presented);
  return { orgId: key.orgId, kind: 'api_key', role: 'admin', scopes: key.scopes, keyId: key.keyId };
}

/** The principal behind a session cookie; managers carry their department subtree. */
export async function principalFromSession(db: Database, token: string): Promise<Principal> {
  const session = await resolveSession(db, token);
  const principal: Principal = {
    orgId: session.orgId,
    kind: 'user',
    userId: session.userId,
    role: session.role,
    scopes: scopesForRole(session.role),
  };
  if (session.role === 'manager') {
    const departmentId = session.departmentId;
    principal.departmentIds = departmentId
      ? await db.withTenant(session.orgId, (tx) => departmentSubtree(tx, session.orgId, departmentId))
      : [];
  }
  return principal;
}

/** Parses a Cookie header into name → value (first occurrence wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) {
      try {
        cookies.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
      } catch {
        throw new AppError('bad_request', 'malformed cookie');
      }
    }
  }
  return cookies;
}
