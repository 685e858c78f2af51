import type { TestDatabase } from '@toktra/db/testing';
import {
  generatePerkKeyPair,
  openPersonalUsage,
  PERK_TTL_MS,
  type PersonalUsage,
  sealPersonalUsage,
} from '@toktra/perks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../context.js';
import type { Subject } from '../data-requests/subject.js';
import { createTestContext, type SeededOrg, seedOrg } from '../usage/testing.js';
import { perksSummary, redeem, setMonthlyAllowance } from './allowance.js';
import { keysForDevice } from './device-keys.js';
import { enroll, getMyPerks, unenroll } from './enrollments.js';
import { PERKS_ERASURE_RULES } from './erasure-rules.js';
import { appendPersonalEntries, listMyEntries, purgeExpiredPerks } from './ledger.js';

let ctx: AppContext;
let handle: TestDatabase;
let a: SeededOrg;
let b: SeededOrg;
const admin = { type: 'user', id: null } as const;

const usage = (host: string): PersonalUsage => ({
  v: 1,
  id: crypto.randomUUID(),
  host,
  provider: 'openai',
  product: 'chat',
  occurred_at: '2026-11-22T01:00:00.000Z',
  duration_ms: 900,
  transport: 'tcp',
  bytes_up: 1234,
  bytes_down: 5678,
  est_input_tokens: 300,
  est_output_tokens: 1400,
  source: 'agent',
});

async function optIn(org: SeededOrg, userId: string) {
  const pair = await generatePerkKeyPair();
  const enrollment = await enroll(ctx, org.orgId, userId, {
    publicKey: pair.publicKey,
    wrappedPrivateKey: null,
  });
  return { pair, enrollment: { id: enrollment.id, publicKey: pair.publicKey } };
}

beforeAll(async () => {
  ({ ctx, handle } = await createTestContext());
  a = await seedOrg(ctx, 'perks-a');
  b = await seedOrg(ctx, 'perks-b');
});
afterAll(async () => {
  await ctx?.preflight.idle();
  await handle?.drop();
});

describe('the personal ledger', () => {
  it('stores sealed entries for the device owner, idempotently, that only the owner’s key opens', async () => {
    const { pair, enrollment } = await optIn(a, a.users.alice);
    const keys = await keysForDevice(ctx, a.orgId, a.deviceId, []);
    expect(keys.default).toEqual({ enrollment_id: enrollment.id, public_key: pair.publicKey });
    const entries = [
      await sealPersonalUsage(enrollment, usage('chatgpt.com')),
      await sealPersonalUsage(enrollment, usage('claude.ai')),
    ];
    expect(await appendPersonalEntries(ctx, a.orgId, a.deviceId, entries)).toEqual({
      accepted: 2,
      duplicates: 0,
    });
    expect(await appendPersonalEntries(ctx, a.orgId, a.deviceId, entries)).toEqual({
      accepted: 0,
      duplicates: 2,
    });
    const mine = await listMyEntries(ctx, a.orgId, a.users.alice, { limit: 10 });
    expect(mine.data).toHaveLength(2);
    const hosts = await Promise.all(
      mine.data.map(async (e) => (await openPersonalUsage(pair.privateKey, e)).host),
    );
    expect(hosts.sort()).toEqual(['chatgpt.com', 'claude.ai']);
    // Nothing reached the corporate pipeline.
    const events = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db.selectFrom('events').select('id').execute(),
    );
    expect(events).toHaveLength(0);
  });

  it('pages a long ledger by cursor', async () => {
    const mine1 = await listMyEntries(ctx, a.orgId, a.users.alice, { limit: 1 });
    expect(mine1.next_cursor).toBe(mine1.data[0]?.id);
    const mine2 = await listMyEntries(ctx, a.orgId, a.users.alice, {
      limit: 1,
      after: mine1.next_cursor ?? '',
    });
    expect(mine2.data[0]?.id).not.toBe(mine1.data[0]?.id);
    expect(mine2.next_cursor).toBeNull();
  });

  it('routes by OS account as corporate attribution does, and keeps non-enrolled people’s events local', async () => {
    await ctx.db.withTenant(a.orgId, ({ db }) =>
      db
        .insertInto('os_user_mappings')
        .values([
          { org_id: a.orgId, device_id: a.deviceId, os_user: 'bob', user_id: a.users.bob },
          { org_id: a.orgId, device_id: null, os_user: 'dave', user_id: a.users.dave },
        ])
        .execute(),
    );
    const before = await keysForDevice(ctx, a.orgId, a.deviceId, ['BOB', 'dave', 'stranger']);
    expect(before.by_os_user).toEqual({ bob: null, dave: null }); // mapped, not opted in
    const { enrollment } = await optIn(a, a.users.bob);
    const after = await keysForDevice(ctx, a.orgId, a.deviceId, ['bob']);
    expect(after.by_os_user.bob?.enrollment_id).toBe(enrollment.id);
    const entry = await sealPersonalUsage(enrollment, usage('gemini.google.com'));
    expect((await appendPersonalEntries(ctx, a.orgId, a.deviceId, [entry])).accepted).toBe(1);
  });

  it('refuses entries for another org’s enrollment, or one this device is never attributed to (404)', async () => {
    const { enrollment } = await optIn(b, b.users.alice);
    const foreign = await sealPersonalUsage(enrollment, usage('chatgpt.com'));
    await expect(appendPersonalEntries(ctx, a.orgId, a.deviceId, [foreign])).rejects.toMatchObject({
      code: 'not_found',
    });
    const carol = await optIn(a, a.users.carol); // carol owns no device and no mapping names her
    const notHers = await sealPersonalUsage(carol.enrollment, usage('chatgpt.com'));
    await expect(appendPersonalEntries(ctx, a.orgId, a.deviceId, [notHers])).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(keysForDevice(ctx, a.orgId, b.deviceId, [])).rejects.toMatchObject({ code: 'not_found' });
  });

  it('records vanish at exactly 90 days (clock-controlled): hidden from the instant, then purged', async () => {
    const { enrollment } = await optIn(a, a.users.dave);
    const t0 = new Date('2026-06-10T15:42:17.123Z'); // expires before the other entries' 90 days are up
    await appendPersonalEntries(
      ctx,
      a.orgId,
      a.deviceId,
      [await sealPersonalUsage(enrollment, usage('x.ai'))],
      t0,
    );
    const [row] = (await listMyEntries(ctx, a.orgId, a.users.dave, { limit: 10 }, t0)).data;
    expect(row?.created_at).toBe('2026-06-10T15:00:00.000Z'); // the arrival hour only
    const expiresAt = new Date(row?.expires_at ?? 0);
    expect(expiresAt.getTime() - new Date(row?.created_at ?? 0).getTime()).toBe(90 * 24 * 3600 * 1000);
    expect(PERK_TTL_MS).toBe(90 * 24 * 3600 * 1000);
    const justBefore = new Date(expiresAt.getTime() - 1);
    expect((await listMyEntries(ctx, a.orgId, a.users.dave, { limit: 10 }, justBefore)).data).toHaveLength(1);
    expect((await purgeExpiredPerks(ctx, justBefore)).entries).toBe(0);
    expect((await listMyEntries(ctx, a.orgId, a.users.dave, { limit: 10 }, expiresAt)).data).toHaveLength(0);
    expect((await purgeExpiredPerks(ctx, expiresAt)).entries).toBe(1);
    const left = await ctx.db.withTenant(a.orgId, ({ db }) =>
      db.selectFrom('perk_ledger_entries').select('id').where('enrollment_id', '=', enrollment.id).execute(),
    );
    expect(left).toHaveLength(0);
  });

  it('the database itself refuses an expiry that is not created_at + 90 days', async () => {
    const { enrollment } = await optIn(b, b.users.bob);
    const now = new Date();
    await expect(
      ctx.db.withTenant(b.orgId, ({ db }) =>
        db
          .insertInto('perk_ledger_entries')
          .values({
            org_id: b.orgId,
            enrollment_id: enrollment.id,
            client_id: 'f'.repeat(32),
            enc: 'e',
            ciphertext: 'c',
            created_at: now,
            expires_at: new Date(now.getTime() + PERK_TTL_MS + 1000),
          })
          .execute(),
      ),
    ).rejects.toThrow(/check/i);
  });
});

describe('allowances and redemptions', () => {
  it('caps redemptions at the monthly allowance, idempotently, and shows admins only large-enough sums', async () => {
    await setMonthlyAllowance(ctx, a.orgId, admin, 10_000);
    const now = new Date('2027-02-15T12:00:00Z');
    const alice = await redeem(
      ctx,
      a.orgId,
      a.users.alice,
      { period: '2027-02', amountTokens: 4000, clientId: 'r-alice-1' },
      now,
    );
    expect(alice).toMatchObject({ redeemed_tokens: 4000, remaining_tokens: 6000 });
    const again = await redeem(
      ctx,
      a.orgId,
      a.users.alice,
      { period: '2027-02', amountTokens: 4000, clientId: 'r-alice-1' },
      now,
    );
    expect(again.remaining_tokens).toBe(6000);
    await expect(
      redeem(
        ctx,
        a.orgId,
        a.users.alice,
        { period: '2027-02', amountTokens: 6001, clientId: 'r-alice-2' },
        now,
      ),
    ).rejects.toMatchObject({ code: 'conflict' });
    await expect(
      redeem(ctx, a.orgId, a.users.alice, { period: '2026-11', amountTokens: 1, clientId: 'r-alice-3' }, now),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(
      redeem(ctx, a.orgId, a.users.dave, { period: '2027-01', amountTokens: 1, clientId: 'r-nobody' }, now),
    ).resolves.toMatchObject({ remaining_tokens: 9999 });

    // Two employees redeemed in 2027-02 and one in 2027-01: both below the threshold of three.
    await redeem(
      ctx,
      a.orgId,
      a.users.bob,
      { period: '2027-02', amountTokens: 500, clientId: 'r-bob-1' },
      now,
    );
    let summary = await perksSummary(ctx, a.orgId, now);
    expect(summary.enrollments).toBe(4);
    expect(summary.periods.every((p) => p.redeemed_tokens === null && p.redeeming_employees === null)).toBe(
      true,
    );
    await redeem(
      ctx,
      a.orgId,
      a.users.carol,
      { period: '2027-02', amountTokens: 250, clientId: 'r-carol-1' },
      now,
    );
    summary = await perksSummary(ctx, a.orgId, now);
    expect(summary.periods.find((p) => p.period === '2027-02')).toEqual({
      period: '2027-02',
      redeemed_tokens: 4750,
      redeeming_employees: 3,
    });
    const mine = await getMyPerks(ctx, a.orgId, a.users.alice, now);
    expect(mine.allowance).toMatchObject({ period: '2027-02', remaining_tokens: 6000 });
  });

  it('opting out deletes the enrollment, its ledger and its redemptions', async () => {
    await unenroll(ctx, a.orgId, a.users.bob);
    const counts = await ctx.db.withTenant(a.orgId, async ({ db }) => ({
      entries: (await db.selectFrom('perk_ledger_entries').select('id').execute()).length,
      redemptions: (await db.selectFrom('perk_redemptions').select('enrollment_id').execute()).length,
    }));
    expect(counts).toEqual({ entries: 2, redemptions: 3 }); // alice's two entries; alice, dave, carol
    expect(await getMyPerks(ctx, a.orgId, a.users.bob)).toEqual({ enrollment: null, allowance: null });
    await expect(unenroll(ctx, a.orgId, a.users.bob)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('DSAR erasure rules delete one person’s enrollment, ledger and redemptions, and no one else’s', async () => {
    const subject = { orgId: a.orgId, userId: a.users.alice } as Subject;
    const report: Record<string, number> = {};
    await ctx.db.withTenant(a.orgId, async (tx) => {
      for (const rule of PERKS_ERASURE_RULES)
        if (rule.personal && rule.custom) report[rule.table] = await rule.custom(ctx, tx, subject);
    });
    expect(report).toEqual({ perk_ledger_entries: 2, perk_redemptions: 1, perk_enrollments: 1 });
    expect(await getMyPerks(ctx, a.orgId, a.users.alice)).toEqual({ enrollment: null, allowance: null });
    expect((await getMyPerks(ctx, a.orgId, a.users.carol)).enrollment).not.toBeNull();
  });
});
