import type { Tx } from '@toktra/db';
import { createAlert } from '../alerts/service.js';
import type { Actor } from '../audit/service.js';
import { blockUser } from '../budgets/blocks.js';
import type { AppContext } from '../context.js';
import { enqueueEmail } from '../delivery/email.js';
import { renderPolicyEmail } from '../delivery/templates.js';
import { enqueueWebhookEvent } from '../delivery/webhooks.js';
import { createIncident } from '../incidents/service.js';
import type { Candidate } from './usage-stream.js';

const SYSTEM: Actor = { type: 'system', id: null };

export interface FiringOutcome {
  firingId: string;
  actions: Array<{ type: string; outcome: string }>;
}

async function personOf(tx: Tx, orgId: string, userId: string | undefined) {
  if (!userId) return undefined;
  return tx.db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'manager_id', 'department_id'])
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
}

function factsOf(c: Candidate, subjectName: string): Array<[string, string]> {
  const facts: Array<[string, string]> = [
    ['Policy', c.policy.name],
    ['Person', subjectName],
    ['When', c.occurred_at.toISOString()],
  ];
  if (c.subject.tokens !== undefined) facts.push(['Tokens', String(c.subject.tokens)]);
  if (c.subject.risk_level) facts.push(['Risk level', c.subject.risk_level]);
  if (c.subject.provider) facts.push(['Provider', c.subject.provider]);
  if (c.subject.model) facts.push(['Model', c.subject.model]);
  return facts;
}

/**
 * Fires one candidate: records the firing (once per policy and dedupe key — a repeat is a no-op),
 * raises an alert and runs every action of the policy's published version, all in one
 * transaction, so emails, webhooks and incidents exist iff the firing does. Blocking goes through
 * the budgets feature's `blockUser` after commit (it keeps preflight's in-memory state).
 */
export async function fireCandidate(
  ctx: AppContext,
  orgId: string,
  c: Candidate,
): Promise<FiringOutcome | null> {
  const toBlock: Array<{ userId: string; until: Date | null }> = [];
  const outcome = await ctx.db.withTenant(orgId, async (tx) => {
    const firing = await tx.db
      .insertInto('policy_firings')
      .values({
        org_id: orgId,
        policy_id: c.policy.id,
        version: c.policy.version,
        trigger_type: c.policy.trigger.type,
        dedupe_key: c.dedupeKey,
        subject: JSON.stringify({ ...c.subject, ref: c.ref, summary: c.summary }),
      })
      .onConflict((oc) => oc.columns(['org_id', 'policy_id', 'dedupe_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!firing) return null;
    const person = await personOf(tx, orgId, c.subject.user_id);
    const subjectName = person ? `${person.name} <${person.email}>` : 'n/a';
    const severity = c.policy.severity;
    await createAlert(ctx, tx, orgId, {
      severity,
      title: c.policy.name,
      body: c.summary,
      source: 'policy',
      sourceId: c.policy.id,
      userId: person?.id ?? null,
      departmentId: c.subject.department_id ?? person?.department_id ?? null,
      details: { firing_id: firing.id, trigger: c.policy.trigger.type, ref: c.ref },
    });
    const actions: FiringOutcome['actions'] = [];
    for (const action of c.policy.actions) {
      switch (action.type) {
        case 'email_user': {
          if (!person) {
            actions.push({ type: action.type, outcome: 'skipped: no user' });
            break;
          }
          const mail = renderPolicyEmail({
            recipientName: person.name,
            audience: 'user',
            subjectName: person.name,
            policyName: c.policy.name,
            severity,
            summary: c.summary,
            facts: factsOf(c, subjectName),
          });
          await enqueueEmail(tx, orgId, person.email, mail);
          actions.push({ type: action.type, outcome: `queued to ${person.email}` });
          break;
        }
        case 'email_manager': {
          const manager = await personOf(tx, orgId, person?.manager_id ?? undefined);
          if (!person || !manager) {
            actions.push({ type: action.type, outcome: 'skipped: no manager' });
            break;
          }
          const mail = renderPolicyEmail({
            recipientName: manager.name,
            audience: 'manager',
            subjectName: person.name,
            policyName: c.policy.name,
            severity,
            summary: c.summary,
            facts: factsOf(c, subjectName),
          });
          await enqueueEmail(tx, orgId, manager.email, mail);
          actions.push({ type: action.type, outcome: `queued to ${manager.email}` });
          break;
        }
        case 'block_user':
          if (!person) {
            actions.push({ type: action.type, outcome: 'skipped: no user' });
            break;
          }
          toBlock.push({
            userId: person.id,
            until: action.duration_hours ? new Date(Date.now() + action.duration_hours * 3_600_000) : null,
          });
          actions.push({ type: action.type, outcome: 'blocked' });
          break;
        case 'create_incident': {
          const incident = await createIncident(tx, orgId, SYSTEM, {
            title: `${c.policy.name}: ${subjectName}`,
            severity: action.severity ?? severity,
            assigneeId: action.assignee_id ?? null,
            userId: person?.id ?? null,
            policyId: c.policy.id,
            firingId: firing.id,
            details: { summary: c.summary, policy_version: c.policy.version },
          });
          actions.push({ type: action.type, outcome: `incident ${incident.id}` });
          break;
        }
        case 'webhook': {
          const ids = await enqueueWebhookEvent(
            tx,
            orgId,
            'policy.fired',
            {
              firing_id: firing.id,
              policy: { id: c.policy.id, name: c.policy.name, version: c.policy.version, severity },
              trigger: c.policy.trigger.type,
              subject: c.subject,
              ref: c.ref,
              occurred_at: c.occurred_at.toISOString(),
              summary: c.summary,
            },
            { endpointId: action.endpoint_id },
          );
          actions.push({
            type: action.type,
            outcome: ids.length ? `delivery ${ids[0]}` : 'skipped: endpoint disabled or gone',
          });
          break;
        }
      }
    }
    return { firingId: firing.id, actions };
  });
  for (const block of toBlock) {
    await blockUser(ctx, orgId, block.userId, {
      reason: `Policy "${c.policy.name}": ${c.summary}`,
      until: block.until,
      source: `policy:${c.policy.id}`,
    });
  }
  return outcome;
}
