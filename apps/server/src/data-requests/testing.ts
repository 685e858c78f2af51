import { newEventId } from '@toktra/core';
import { sql } from 'kysely';
import { createAlert } from '../alerts/service.js';
import { appendAudit } from '../audit/service.js';
import { createSession } from '../auth/sessions.js';
import type { AppContext } from '../context.js';
import { ingestBatch } from '../usage/ingest.js';
import type { SeededOrg } from '../usage/testing.js';

/** The subject's identifiers in the erasure tests: distinctive, so a scan cannot hit by chance. */
export const SUBJECT = {
  email: 'zebulon.quarterfield@erase.test',
  name: 'Zebulon Quarterfield',
  osUser: 'zquarterfield',
  hostname: 'zebs-macbook',
  slackId: 'UZEBULON01',
  githubLogin: 'zeb-quarterfield',
};

/**
 * Gives `userId` the identifiers above and a trace in every table that holds personal data:
 * usage (device + API), mappings, alerts, incidents, governance rows, budgets, sessions, audit.
 * Tables are written as their features write them where a service exists, directly otherwise.
 */
export async function seedSubjectEverywhere(ctx: AppContext, org: SeededOrg, userId: string): Promise<void> {
  const orgId = org.orgId;
  await ctx.db.withTenant(orgId, async (tx) => {
    const db = tx.db;
    await db
      .updateTable('users')
      .set({ email: SUBJECT.email, name: SUBJECT.name })
      .where('id', '=', userId)
      .execute();
    await db
      .updateTable('devices')
      .set({ hostname: SUBJECT.hostname, os_user: SUBJECT.osUser, owner_user_id: userId })
      .where('id', '=', org.deviceId)
      .execute();
    await db
      .insertInto('os_user_mappings')
      .values({ org_id: orgId, device_id: null, os_user: SUBJECT.osUser, user_id: userId })
      .execute();
    await db
      .insertInto('slack_user_mappings')
      .values({
        org_id: orgId,
        team_id: 'TERASE',
        slack_user_id: SUBJECT.slackId,
        email: SUBJECT.email,
        user_id: userId,
      })
      .execute();
    await db
      .insertInto('github_user_mappings')
      .values({ org_id: orgId, login: SUBJECT.githubLogin, user_id: userId })
      .execute();
    await db
      .insertInto('risk_events')
      .values({
        org_id: orgId,
        source: 'github',
        kind: 'copilot_secret',
        level: 'high',
        occurred_at: new Date(),
        user_id: userId,
        department_id: null,
        external_login: SUBJECT.githubLogin,
        repository: 'acme/app',
        delivery_id: 'd-1',
        details: JSON.stringify({ login: SUBJECT.githubLogin }),
      })
      .execute();
    const alert = await createAlert(ctx, tx, orgId, {
      severity: 'high',
      title: `${SUBJECT.name} exceeded the budget`,
      body: `Contact ${SUBJECT.email}`,
      source: 'budget',
      userId,
      details: { user_email: SUBJECT.email },
    });
    const connector = await db
      .insertInto('itsm_connectors')
      .values({
        org_id: orgId,
        kind: 'jira',
        name: 'Jira',
        base_url: 'https://jira.example',
        credentials: 'enc',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('itsm_tickets')
      .values({
        org_id: orgId,
        alert_id: alert.id,
        connector_id: connector.id,
        external_id: 'J-1',
        external_key: 'SEC-1',
        url: 'https://jira.example/SEC-1',
        created_by: `user:${userId}`,
      })
      .execute();
    const incident = await db
      .insertInto('incidents')
      .values({
        org_id: orgId,
        title: `Incident for ${SUBJECT.name}`,
        severity: 'high',
        status: 'open',
        user_id: userId,
        assignee_id: null,
        policy_id: null,
        firing_id: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('incident_events')
      .values({
        org_id: orgId,
        incident_id: incident.id,
        actor_type: 'user',
        actor_id: userId,
        kind: 'comment',
        details: JSON.stringify({ text: `ping ${SUBJECT.email}` }),
      })
      .execute();
    await db
      .insertInto('governance_signals')
      .values({
        org_id: orgId,
        kind: 'usage',
        occurred_at: new Date(),
        payload: JSON.stringify({ user_id: userId }),
      })
      .execute();
    await db
      .insertInto('tier_overrides')
      .values({
        org_id: orgId,
        user_id: userId,
        tier: 'premium',
        reason: `asked by ${SUBJECT.name}`,
        set_by: `user:${userId}`,
      })
      .execute();
    await db
      .insertInto('user_blocks')
      .values({ org_id: orgId, user_id: userId, reason: 'hard cap', source: 'budget', until: null })
      .execute();
    await db
      .insertInto('reimbursement_requests')
      .values({
        org_id: orgId,
        user_id: userId,
        amount: 12.5,
        currency: 'EUR',
        period: '2026-11',
        note: `for ${SUBJECT.name}`,
        approver_id: null,
        status: 'submitted',
        decided_by: null,
        decided_at: null,
        decision_note: null,
        exported_at: null,
        slack_channel: 'D1',
        slack_ts: '1.2',
      })
      .execute();
    await db
      .insertInto('report_schedules')
      .values({
        org_id: orgId,
        name: 'weekly',
        frequency: 'weekly',
        day_of_week: 1,
        day_of_month: null,
        time_of_day: '08:00',
        time_zone: 'UTC',
        recipients: JSON.stringify([SUBJECT.email, 'boss@erase.test']),
        enabled: true,
        next_run_at: new Date(),
      })
      .execute();
    const day = new Date().toISOString().slice(0, 10);
    await db
      .insertInto('efficiency_scores')
      .values({
        org_id: orgId,
        subject_type: 'user',
        subject_id: userId,
        day,
        window_days: 30,
        score: 50,
        components: '{}',
      })
      .execute();
    await db
      .insertInto('scorecards')
      .values({ org_id: orgId, subject_type: 'employee', subject_id: userId, day, metrics: '{}' })
      .execute();
    // Tables of the features built alongside (Privacy Hours, browser extension, Token Perks).
    await db
      .insertInto('privacy_settings')
      .values({ org_id: orgId, user_id: userId, time_zone: 'UTC', windows: '[]' })
      .execute();
    await db
      .insertInto('extension_browsers')
      .values({
        org_id: orgId,
        user_id: userId,
        token_hash: `h-${userId}`,
        enrolled_via: 'sign_in',
        name: `${SUBJECT.name}'s Chrome`,
      })
      .execute();
    await db
      .insertInto('perk_enrollments')
      .values({ org_id: orgId, user_id: userId, public_key: 'pk' })
      .execute();
    await appendAudit(
      tx,
      orgId,
      { type: 'system', id: null },
      {
        action: 'user.update',
        targetType: 'user',
        targetId: userId,
        details: { email: SUBJECT.email, name: SUBJECT.name },
      },
    );
  });
  await ctx.db.system(async ({ db }) => {
    await db
      .insertInto('jobs')
      .values({
        name: 'email.send',
        org_id: orgId,
        payload: JSON.stringify({ to: SUBJECT.email }),
        status: 'done',
        run_at: new Date(),
      })
      .execute();
    const policy = await db
      .insertInto('policies')
      .values({ org_id: orgId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`INSERT INTO policy_firings (org_id, policy_id, version, trigger_type, dedupe_key, subject)
      VALUES (${orgId}::uuid, ${policy.id}::uuid, 1, 'usage', 'k1', ${JSON.stringify({ user_id: userId })}::jsonb)`.execute(
      db,
    );
  });
  await createSession(ctx.db, orgId, userId, 'password');
  const now = Date.now();
  const events = [0, 1, 2].map((i) => ({
    id: newEventId(now - (i + 1) * 3_600_000),
    occurred_at: new Date(now - (i + 1) * 3_600_000).toISOString(),
    host: 'api.openai.com',
    transport: 'tcp',
    bytes_up: 4000 + i,
    bytes_down: 16000,
    os_user: SUBJECT.osUser,
  }));
  const device = await ingestBatch(ctx, orgId, { type: 'device', deviceId: org.deviceId }, events);
  if (device.accepted !== events.length) throw new Error(`seed: ${JSON.stringify(device.rejected)}`);
  const api = await ingestBatch(ctx, orgId, { type: 'api', keyId: crypto.randomUUID() }, [
    {
      id: crypto.randomUUID(),
      occurred_at: new Date(now - 7_200_000).toISOString(),
      user_id: userId,
      provider: 'anthropic',
      input_tokens: 700,
      output_tokens: 70,
    },
  ]);
  if (api.accepted !== 1) throw new Error(`seed: ${JSON.stringify(api.rejected)}`);
}
