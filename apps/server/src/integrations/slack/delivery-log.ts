import type { AppContext } from '../../context.js';

export interface DeliveryView {
  id: string;
  kind: string;
  installation_id: string | null;
  channel_id: string | null;
  subject_id: string | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  message_ts: string | null;
  created_at: string;
  sent_at: string | null;
}

/** Opens (or finds) the log row of one message; retries of the same job reuse it. */
export async function openDelivery(
  ctx: AppContext,
  orgId: string,
  input: { kind: string; subjectId: string; installationId?: string | null; channelId?: string | null },
): Promise<string> {
  return ctx.db.withTenant(orgId, async ({ db }) => {
    const existing = await db
      .selectFrom('slack_deliveries')
      .select('id')
      .where('org_id', '=', orgId)
      .where('kind', '=', input.kind)
      .where('subject_id', '=', input.subjectId)
      .$if(input.channelId != null, (q) => q.where('channel_id', '=', input.channelId as string))
      .executeTakeFirst();
    if (existing) return existing.id;
    const row = await db
      .insertInto('slack_deliveries')
      .values({
        org_id: orgId,
        kind: input.kind,
        subject_id: input.subjectId,
        installation_id: input.installationId ?? null,
        channel_id: input.channelId ?? null,
        last_error: null,
        message_ts: null,
        sent_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

/** Records one attempt: sent (with the message ts) or failed (final when no retry is left). */
export async function recordAttempt(
  ctx: AppContext,
  orgId: string,
  id: string,
  outcome:
    | { ok: true; ts?: string | undefined; channelId?: string | undefined }
    | { ok: false; error: string; final: boolean },
): Promise<void> {
  await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .updateTable('slack_deliveries')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        ...(outcome.ok
          ? {
              status: 'sent' as const,
              sent_at: new Date(),
              message_ts: outcome.ts ?? null,
              last_error: null,
              ...(outcome.channelId ? { channel_id: outcome.channelId } : {}),
            }
          : {
              status: outcome.final ? ('failed' as const) : ('pending' as const),
              last_error: outcome.error.slice(0, 500),
            }),
      }))
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute(),
  );
}

export async function listDeliveries(ctx: AppContext, orgId: string, limit: number): Promise<DeliveryView[]> {
  const rows = await ctx.db.withTenant(orgId, ({ db }) =>
    db
      .selectFrom('slack_deliveries')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute(),
  );
  return rows.map(({ org_id: _o, ...r }) => ({
    ...r,
    created_at: r.created_at.toISOString(),
    sent_at: r.sent_at?.toISOString() ?? null,
  }));
}
