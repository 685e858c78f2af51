import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setOidcConfig } from '../../server/src/auth/oidc.js';
import { createOrg } from '../../server/src/orgs/service.js';
import { type DemoServer, launchBrowser, startDemoServer } from './helpers.js';

let demo: DemoServer;
let browser: Browser;
let idp: http.Server;
let issuer: string;
let orgId: string;

/** A real OpenID Provider on loopback (oidc-provider, with its development login pages). */
async function startIdp(redirectUri: string): Promise<void> {
  idp = http.createServer();
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'toktra-dashboard',
        client_secret: 'a-client-secret-of-sufficient-length',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Any login at the development login page becomes an account whose email is that login.
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: id, email_verified: true, name: 'Sam Sso' }),
    }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['toktra-test-cookie-key'] },
  });
  idp.on('request', provider.callback());
}

beforeAll(async () => {
  demo = await startDemoServer({ demo: false });
  await startIdp(`${demo.url}/auth/oidc/callback`);
  const org = await createOrg(demo.server.ctx.db, { name: 'SSO Co', adminEmail: 'owner@sso.test' });
  orgId = org.orgId;
  await setOidcConfig(
    demo.server.ctx,
    orgId,
    { type: 'cli', id: null },
    {
      issuerUrl: issuer,
      clientId: 'toktra-dashboard',
      clientSecret: 'a-client-secret-of-sufficient-length',
      emailDomains: ['sso.test'],
    },
  );
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  idp?.closeAllConnections();
  await new Promise((resolve) => idp?.close(resolve));
  await demo?.close();
});

describe('OIDC single sign-on against a real provider on loopback', () => {
  it('signs a new user in through the issuer and lands them in their portal', async () => {
    const context = await browser.newContext();
    // Nothing leaves the machine: the provider's page links a web font.
    await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${demo.url}/sign-in`);
    await page.getByRole('textbox', { name: 'Email' }).fill('sam@sso.test');
    await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
    await page.waitForURL(new RegExp(`^${issuer}/`));
    await page.locator('input[name=login]').fill('sam@sso.test');
    await page.locator('input[name=password]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${demo.url}/portal`);
    await page.getByRole('heading', { name: 'My usage' }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/v1/me')).json());
    expect(me).toMatchObject({ user: { email: 'sam@sso.test', role: 'employee' }, org: { id: orgId } });
    const session = await demo.server.ctx.db.withTenant(orgId, ({ db }) =>
      db.selectFrom('sessions').select('auth_method').where('org_id', '=', orgId).executeTakeFirstOrThrow(),
    );
    expect(session.auth_method).toBe('oidc');
    await context.close();
  });

  it('stores the client secret encrypted, and refuses unknown domains and replayed callbacks', async () => {
    const row = await demo.server.ctx.db.withTenant(orgId, ({ db }) =>
      db.selectFrom('oidc_configs').select('client_secret_enc').executeTakeFirstOrThrow(),
    );
    expect(row.client_secret_enc).not.toContain('a-client-secret');
    const unknown = await fetch(`${demo.url}/auth/oidc/start?email=x@elsewhere.test`, { redirect: 'manual' });
    expect(unknown.status).toBe(404);
    const replay = await fetch(`${demo.url}/auth/oidc/callback?code=abc&state=forged`, {
      redirect: 'manual',
    });
    expect(replay.status).toBe(400);
    expect((await replay.json()).error.code).toBe('bad_request');
  });
});
