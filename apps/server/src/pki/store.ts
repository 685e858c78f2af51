import { AppError } from '@toktra/core';
import type { CertificateAuthoritiesTable, RegionStore } from '@toktra/db';
import type { Selectable } from 'kysely';
import type { AppContext } from '../context.js';
import { getOrg } from '../orgs/service.js';
import { decryptSecret, encryptSecret, rewrapSecret } from '../secrets/service.js';
import {
  type Authority,
  createOrgAuthority,
  createRootAuthority,
  exportPrivateKeyPem,
  importPrivateKeyPem,
  toAuthority,
} from './certificates.js';
import { x509 } from './x509.js';

/** An org's CAs: the active one signs new devices; all of them still verify existing devices. */
export interface OrgAuthorities {
  active: Authority;
  all: Authority[];
}

/** Decrypted CAs kept in memory, so signing and verification never re-read or re-decrypt. */
export interface PkiCache {
  root: Promise<Authority> | undefined;
  orgs: Map<string, Promise<OrgAuthorities>>;
}

export function createPkiCache(): PkiCache {
  return { root: undefined, orgs: new Map() };
}

type CaRow = Selectable<CertificateAuthoritiesTable>;
type PkiContext = Pick<AppContext, 'db' | 'keyring' | 'pki'>;

/** The encrypted key is bound to its certificate, so it cannot be swapped onto another CA row. */
const keyContext = (fingerprint: string) => `certificate_authority:${fingerprint}`;

async function loadAuthority(ctx: PkiContext, row: CaRow): Promise<Authority> {
  const cert = new x509.X509Certificate(row.certificate_pem);
  const key = await importPrivateKeyPem(
    decryptSecret(ctx, row.private_key_encrypted, keyContext(row.fingerprint_sha256)),
  );
  const authority = toAuthority(cert, key);
  if (authority.fingerprint !== row.fingerprint_sha256) {
    throw new AppError('internal', `certificate authority ${row.id} does not match its fingerprint`);
  }
  return authority;
}

async function toRow(ctx: PkiContext, authority: Authority, orgId: string | null) {
  return {
    kind: orgId ? ('org' as const) : ('root' as const),
    org_id: orgId,
    certificate_pem: authority.pem,
    private_key_encrypted: encryptSecret(
      ctx,
      await exportPrivateKeyPem(authority.key),
      keyContext(authority.fingerprint),
    ),
    fingerprint_sha256: authority.fingerprint,
    not_after: authority.cert.notAfter,
  };
}

/** Memoises a promise but forgets a failure, so a transient error is retried next time. */
function remember<T>(set: (p: Promise<T> | undefined) => void, make: () => Promise<T>): Promise<T> {
  const promise = make();
  set(promise);
  promise.catch(() => set(undefined));
  return promise;
}

/** The Toktra root CA, created on first use (the server calls this at start). */
export function getRootAuthority(ctx: PkiContext): Promise<Authority> {
  return (
    ctx.pki.root ??
    remember(
      (p) => {
        ctx.pki.root = p;
      },
      () => loadOrCreateRoot(ctx),
    )
  );
}

async function loadOrCreateRoot(ctx: PkiContext): Promise<Authority> {
  const select = () =>
    ctx.db.system(({ db }) =>
      db
        .selectFrom('certificate_authorities')
        .selectAll()
        .where('kind', '=', 'root')
        .where('status', '=', 'active')
        .executeTakeFirst(),
    );
  const existing = await select();
  if (existing) return loadAuthority(ctx, existing);
  const row = await toRow(ctx, await createRootAuthority(), null);
  // Two processes starting at once on one Postgres: the partial unique index keeps one root.
  await ctx.db.system(({ db }) =>
    db
      .insertInto('certificate_authorities')
      .values(row)
      .onConflict((oc) =>
        oc.column('kind').where('kind', '=', 'root').where('status', '=', 'active').doNothing(),
      )
      .execute(),
  );
  const stored = await select();
  if (!stored) throw new AppError('internal', 'root CA could not be stored');
  return loadAuthority(ctx, stored);
}

/** The org's issuing CA(s), the active one created lazily on first enrollment. */
export function getOrgAuthorities(ctx: PkiContext, orgId: string): Promise<OrgAuthorities> {
  return (
    ctx.pki.orgs.get(orgId) ??
    remember(
      (p) => (p ? ctx.pki.orgs.set(orgId, p) : ctx.pki.orgs.delete(orgId)),
      () => loadOrCreateOrg(ctx, orgId),
    )
  );
}

/**
 * For verification only: the org's CAs if it has any, never creating one (the ingest server must
 * not mint CAs for whatever org id a certificate names). Found CAs join the cache.
 */
export async function findOrgAuthorities(ctx: PkiContext, orgId: string): Promise<OrgAuthorities | null> {
  const cached = ctx.pki.orgs.get(orgId);
  if (cached) return cached;
  const rows = await selectOrgCas(ctx, orgId);
  if (!rows.some((r) => r.status === 'active')) return null;
  return getOrgAuthorities(ctx, orgId);
}

function selectOrgCas(ctx: PkiContext, orgId: string) {
  // An org's CA lives in its region's store; only the root is deployment-wide (home store).
  return ctx.db.forOrg(orgId, ({ db }) =>
    db
      .selectFrom('certificate_authorities')
      .selectAll()
      .where('kind', '=', 'org')
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'desc')
      .execute(),
  );
}

async function loadOrCreateOrg(ctx: PkiContext, orgId: string): Promise<OrgAuthorities> {
  const select = () => selectOrgCas(ctx, orgId);
  let rows = await select();
  if (!rows.some((r) => r.status === 'active')) {
    await getOrg(ctx.db, orgId);
    const root = await getRootAuthority(ctx);
    const row = await toRow(ctx, await createOrgAuthority(root, orgId), orgId);
    await ctx.db.forOrg(orgId, ({ db }) =>
      db
        .insertInto('certificate_authorities')
        .values(row)
        .onConflict((oc) =>
          oc.column('org_id').where('kind', '=', 'org').where('status', '=', 'active').doNothing(),
        )
        .execute(),
    );
    rows = await select();
  }
  const all = await Promise.all(rows.map((r) => loadAuthority(ctx, r)));
  const activeIndex = rows.findIndex((r) => r.status === 'active');
  const active = all[activeIndex];
  if (!active) throw new AppError('internal', `org ${orgId} has no active CA`);
  return { active, all };
}

/** What an enrolled agent trusts and presents: its org CA, then the root. */
export async function caChainPem(ctx: PkiContext, orgId: string): Promise<string> {
  const [org, root] = await Promise.all([getOrgAuthorities(ctx, orgId), getRootAuthority(ctx)]);
  return `${org.active.pem}\n${root.pem}\n`;
}

/**
 * After a master-key rotation (new TOKTRA_MASTER_KEY, old one in TOKTRA_MASTER_KEY_PREVIOUS):
 * re-wraps every CA key's data key under the current master key. Returns how many changed.
 */
export async function rewrapCaKeys(ctx: Pick<AppContext, 'db' | 'keyring'>): Promise<number> {
  let changed = 0;
  for (const store of ctx.db.stores()) changed += await rewrapStoreCaKeys(ctx, store);
  return changed;
}

function rewrapStoreCaKeys(ctx: Pick<AppContext, 'keyring'>, store: RegionStore): Promise<number> {
  return store.system(async ({ db }) => {
    const rows = await db
      .selectFrom('certificate_authorities')
      .select(['id', 'private_key_encrypted'])
      .forUpdate()
      .execute();
    let changed = 0;
    for (const row of rows) {
      const next = rewrapSecret(ctx, row.private_key_encrypted);
      if (next === row.private_key_encrypted) continue;
      await db
        .updateTable('certificate_authorities')
        .set({ private_key_encrypted: next })
        .where('id', '=', row.id)
        .execute();
      changed += 1;
    }
    return changed;
  });
}
