import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import type { UserRole } from '@toktra/db';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import type { InjectOptions } from 'fastify';
import { resolveConfig } from '../config.js';
import { type AppContext, createContext } from '../context.js';
import type { HttpApp } from '../http/app.js';
import { createOrg } from '../orgs/service.js';

/** A context on a fresh test database, with a throwaway data dir for the master key. */
export async function createAuthTestContext(): Promise<{ ctx: AppContext; handle: TestDatabase }> {
  const handle = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'toktra-auth-'));
  const ctx = createContext(resolveConfig({ dataDir, logLevel: 'silent' }), handle.db);
  return { ctx, handle };
}

export interface TestUsers {
  orgId: string;
  ownerId: string;
  password: string;
  departments: { root: string; child: string; other: string };
  users: Record<'manager' | 'employee' | 'auditor' | 'peer' | 'outsider', string>;
}

/**
 * An org with departments root → child and other, and one user per role, all with `password`:
 * manager (root), employee + peer (child), outsider (other), auditor. Emails are `<role>@<slug>.test`.
 */
export async function seedAuthOrg(
  ctx: AppContext,
  slug: string,
  password = 'correct horse',
): Promise<TestUsers> {
  const { orgId, adminUserId } = await createOrg(ctx.db, { name: slug, adminEmail: `owner@${slug}.test` });
  const passwordHash = await hash(password);
  return ctx.db.withTenant(orgId, async ({ db }) => {
    await db
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('id', '=', adminUserId)
      .execute();
    const dept = async (name: string, parent?: string) =>
      (
        await db
          .insertInto('departments')
          .values({ org_id: orgId, name, parent_id: parent ?? null })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const root = await dept('Engineering');
    const child = await dept('Backend', root);
    const other = await dept('Sales');
    const user = async (key: string, role: UserRole, departmentId: string | null) =>
      (
        await db
          .insertInto('users')
          .values({
            org_id: orgId,
            email: `${key}@${slug}.test`,
            name: key,
            role,
            department_id: departmentId,
            password_hash: passwordHash,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    return {
      orgId,
      ownerId: adminUserId,
      password,
      departments: { root, child, other },
      users: {
        manager: await user('manager', 'manager', root),
        employee: await user('employee', 'employee', child),
        peer: await user('peer', 'employee', child),
        outsider: await user('outsider', 'employee', other),
        auditor: await user('auditor', 'auditor', null),
      },
    };
  });
}

export interface TestSession {
  cookie: string;
  csrf: string;
}

/** Signs in through the real endpoint, from a random address (sign-in is rate-limited per IP). */
export async function signInForTest(
  app: HttpApp,
  email: string,
  password = 'correct horse',
): Promise<TestSession> {
  const octet = () => Math.floor(Math.random() * 250);
  const res = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    payload: { email, password },
    remoteAddress: `10.${octet()}.${octet()}.${octet()}`,
  });
  if (res.statusCode !== 200) throw new Error(`sign-in as ${email} answered ${res.statusCode}: ${res.body}`);
  const setCookie = res.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0] ?? '';
  return { cookie, csrf: res.json().csrf_token as string };
}

/** The headers a browser session (cookie + CSRF token) or an API key sends. */
export function authHeaders(who: TestSession | { bearer: string }): Record<string, string> {
  return 'bearer' in who
    ? { authorization: `Bearer ${who.bearer}` }
    : { cookie: who.cookie, 'x-csrf-token': who.csrf };
}

/** One request as `who`, through the real app. */
export function injectAs(
  app: HttpApp,
  who: TestSession | { bearer: string },
  method: string,
  url: string,
  payload?: unknown,
) {
  const options: InjectOptions = {
    method: method as InjectOptions['method'],
    url,
    headers: authHeaders(who),
  };
  if (payload !== undefined) options.payload = payload as InjectOptions['payload'];
  return app.inject(options);
}
