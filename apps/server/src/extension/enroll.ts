import { AppError } from '@toktra/core';
import type { Database } from '@toktra/db';
import { sql } from 'kysely';
import { verifyPasswordSignIn } from '../auth/passwords.js';
import { resolveEnrollToken } from '../enrollment/tokens.js';
import { enrollBrowser } from './browsers.js';

export type EnrollInput =
  | { email: string; password: string; org_id?: string | undefined }
  | { org_token: string; user_email: string };

export interface EnrollAnswer {
  browser_id: string;
  token: string;
  org_id: string;
  user_id: string;
}

/**
 * Enrolls a browser for one user: by the user's own sign-in (email + password), or by a managed
 * Chrome policy that carries an org enrollment token (`tkenr_…`, the same tokens that enroll
 * agents; each browser spends one use) and names the user by email.
 */
export async function enrollExtension(
  db: Database,
  input: EnrollInput,
  meta: { ip: string; name: string; version?: string | undefined },
): Promise<EnrollAnswer> {
  if ('password' in input) {
    const { orgId, userId } = await verifyPasswordSignIn(db, {
      email: input.email,
      password: input.password,
      orgId: input.org_id,
      ip: meta.ip,
    });
    const { browserId, token } = await enrollBrowser(db, orgId, userId, { via: 'sign_in', ...meta });
    return { browser_id: browserId, token, org_id: orgId, user_id: userId };
  }
  const enrollToken = await resolveEnrollToken(db, input.org_token);
  const orgId = enrollToken.orgId;
  const userId = await db.withTenant(orgId, async (tx) => {
    const spent = await tx.db
      .updateTable('enroll_tokens')
      .set({ uses: sql`uses + 1` })
      .where('org_id', '=', orgId)
      .where('id', '=', enrollToken.id)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .where('uses', '<', sql<number>`max_uses`)
      .returning('id')
      .executeTakeFirst();
    if (!spent) throw new AppError('unauthorized', 'enrollment token is revoked, expired or used up');
    const user = await tx.db
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', orgId)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', input.user_email.toLowerCase()))
      .executeTakeFirst();
    if (!user) throw new AppError('not_found', `no user with email ${input.user_email} in this organization`);
    return user.id;
  });
  const { browserId, token } = await enrollBrowser(db, orgId, userId, { via: 'managed_policy', ...meta });
  return { browser_id: browserId, token, org_id: orgId, user_id: userId };
}
