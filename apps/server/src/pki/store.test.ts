import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dumpTables, type TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config.js';
import { type AppContext, createContext } from '../context.js';
import { createOrg } from '../orgs/service.js';
import { decryptSecret } from '../secrets/service.js';
import { createTestContext } from '../usage/testing.js';
import { issueDeviceCertificate, readCsr } from './certificates.js';
import { readDeviceIdentity } from './identity.js';
import {
  caChainPem,
  findOrgAuthorities,
  getOrgAuthorities,
  getRootAuthority,
  rewrapCaKeys,
} from './store.js';
import { SIGNING_ALGORITHM, x509 } from './x509.js';

let ctx: AppContext;
let handle: TestDatabase;
const masterKey = randomBytes(32).toString('base64');
const dataDir = () => mkdtempSync(path.join(tmpdir(), 'toktra-pki-'));

/** A second process on the same database: fresh caches, its own master key. */
function freshContext(key = masterKey, previous = ''): AppContext {
  const config = resolveConfig(
    { dataDir: dataDir(), logLevel: 'silent' },
    { TOKTRA_MASTER_KEY: key, TOKTRA_MASTER_KEY_PREVIOUS: previous },
  );
  return createContext(config, ctx.db);
}

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  ctx = freshContext();
});
afterAll(() => handle.drop());

async function csrPem(): Promise<{ pem: string; keys: CryptoKeyPair }> {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: 'CN=x',
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
  });
  return { pem: csr.toString('pem'), keys };
}

describe('PKI store', () => {
  let orgId: string;

  beforeAll(async () => {
    orgId = (await createOrg(ctx.db, { name: 'pki', adminEmail: 'a@pki.test' })).orgId;
  });

  it('creates the root CA once and every process loads the same one', async () => {
    const a = await getRootAuthority(ctx);
    const b = await getRootAuthority(freshContext());
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(await a.cert.isSelfSigned()).toBe(true);
    const rows = await ctx.db.system(({ db }) =>
      db.selectFrom('certificate_authorities').select('id').where('kind', '=', 'root').execute(),
    );
    expect(rows).toHaveLength(1);
  });

  it("creates an org's CA lazily, signed by the root, and never for verification lookups", async () => {
    const other = (await createOrg(ctx.db, { name: 'pki-2', adminEmail: 'b@pki.test' })).orgId;
    expect(await findOrgAuthorities(freshContext(), other)).toBeNull();
    const org = await getOrgAuthorities(ctx, orgId);
    const root = await getRootAuthority(ctx);
    expect(await org.active.cert.verify({ publicKey: root.cert.publicKey, signatureOnly: true })).toBe(true);
    expect((await findOrgAuthorities(freshContext(), orgId))?.active.fingerprint).toBe(
      org.active.fingerprint,
    );
    const chain = await caChainPem(ctx, orgId);
    expect(chain.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('issues device certificates carrying the org and device in one SAN URI', async () => {
    const { pem } = await csrPem();
    const publicKey = await readCsr(pem);
    const org = await getOrgAuthorities(ctx, orgId);
    const deviceId = '01900000-0000-7000-8000-000000000001';
    const cert = await issueDeviceCertificate(org.active, publicKey, { orgId, deviceId });
    expect(readDeviceIdentity(cert)).toEqual({ orgId, deviceId });
    expect(cert.notAfter.getTime() - Date.now()).toBeGreaterThan(360 * 86_400_000);
    expect(await cert.verify({ publicKey: org.active.cert.publicKey, signatureOnly: true })).toBe(true);
  });

  it('refuses a CSR that is not PEM or whose signature does not verify', async () => {
    await expect(readCsr('hello')).rejects.toThrow(/PKCS#10/);
    const { pem } = await csrPem();
    const der = Buffer.from(x509.PemConverter.decodeFirst(pem));
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
    await expect(readCsr(x509.PemConverter.encode(der, 'CERTIFICATE REQUEST'))).rejects.toThrow(
      /signature does not verify/,
    );
  });

  it('keeps CA private keys unreadable in a dump of the database', async () => {
    const rows = await ctx.db.system(({ db }) =>
      db.selectFrom('certificate_authorities').selectAll().execute(),
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const dump = JSON.stringify(
      (await dumpTables(ctx.db)).filter((r) => r.table === 'certificate_authorities'),
    );
    expect(dump).not.toMatch(/PRIVATE KEY/);
    for (const row of rows) {
      const keyPem = decryptSecret(
        ctx,
        row.private_key_encrypted,
        `certificate_authority:${row.fingerprint_sha256}`,
      );
      expect(keyPem).toMatch(/BEGIN PRIVATE KEY/);
      const body = keyPem.replace(/-----[^-]+-----|\s/g, '');
      const der = Buffer.from(body, 'base64');
      for (let i = 0; i + 24 <= body.length; i += 24) expect(dump).not.toContain(body.slice(i, i + 24));
      expect(dump).not.toContain(der.toString('hex').slice(0, 32));
    }
  });

  it('refuses to load the CAs with another master key, or when a key blob was swapped', async () => {
    await expect(getRootAuthority(freshContext(randomBytes(32).toString('base64')))).rejects.toThrow(
      /master key/,
    );
    const [root, org] = await Promise.all([
      ctx.db.system(({ db }) =>
        db
          .selectFrom('certificate_authorities')
          .selectAll()
          .where('kind', '=', 'root')
          .executeTakeFirstOrThrow(),
      ),
      ctx.db.system(({ db }) =>
        db
          .selectFrom('certificate_authorities')
          .selectAll()
          .where('org_id', '=', orgId)
          .executeTakeFirstOrThrow(),
      ),
    ]);
    // The org CA's (valid) encrypted key copied onto the root row does not decrypt there.
    await ctx.db.system(({ db }) =>
      db
        .updateTable('certificate_authorities')
        .set({ private_key_encrypted: org.private_key_encrypted })
        .where('id', '=', root.id)
        .execute(),
    );
    await expect(getRootAuthority(freshContext())).rejects.toThrow(/authentication/);
    await ctx.db.system(({ db }) =>
      db
        .updateTable('certificate_authorities')
        .set({ private_key_encrypted: root.private_key_encrypted })
        .where('id', '=', root.id)
        .execute(),
    );
    expect((await getRootAuthority(freshContext())).fingerprint).toBe(root.fingerprint_sha256);
  });

  it('rotates the master key: the old key still opens CAs until rewrap moves them to the new one', async () => {
    const newKey = randomBytes(32).toString('base64');
    const rotating = freshContext(newKey, masterKey);
    const root = await getRootAuthority(rotating);
    expect(await rewrapCaKeys(rotating)).toBeGreaterThanOrEqual(2);
    expect(await rewrapCaKeys(rotating)).toBe(0);
    expect((await getRootAuthority(freshContext(newKey))).fingerprint).toBe(root.fingerprint);
    await expect(getRootAuthority(freshContext(masterKey))).rejects.toThrow(/master key/);
  });
});
