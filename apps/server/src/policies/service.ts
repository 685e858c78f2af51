import { AppError } from '@toktra/core';
import type { Database, PolicyStatus, Severity, Tx } from '@toktra/db';
import type { z } from 'zod';
import { type Actor, appendAudit } from '../audit/service.js';
import {
  type PolicyAction,
  type PolicyContent,
  type PolicyTrigger,
  policyContentSchema,
  type policyPatchSchema,
} from './schema.js';

export interface PolicyVersionView {
  version: number;
  name: string;
  description: string;
  severity: Severity;
  trigger: PolicyTrigger;
  conditions: PolicyContent['conditions'];
  actions: PolicyAction[];
  created_at: string;
  created_by: string | null;
}

export interface PolicyView extends Omit<PolicyVersionView, 'created_at' | 'created_by'> {
  id: string;
  status: PolicyStatus;
  current_version: number;
  published_version: number | null;
  /** The current version differs from the one that runs. */
  has_unpublished_changes: boolean;
  created_at: string;
  updated_at: string;
}

/** A published policy as the engine runs it. */
export interface RunnablePolicy extends PolicyVersionView {
  id: string;
}

type VersionRow = {
  version: number;
  name: string;
  description: string;
  severity: Severity;
  trigger: unknown;
  conditions: unknown;
  actions: unknown;
  created_at: Date;
  created_by: string | null;
};

function versionView(row: VersionRow): PolicyVersionView {
  return {
    ...row,
    trigger: row.trigger as PolicyTrigger,
    conditions: row.conditions as PolicyContent['conditions'],
    actions: row.actions as PolicyAction[],
    created_at: row.created_at.toISOString(),
  };
}

const versionColumns = [
  'version',
  'name',
  'description',
  'severity',
  'trigger',
  'conditions',
  'actions',
  'created_at',
  'created_by',
] as const;

function actorLabel(actor: Actor): string {
  return `${actor.type}:${actor.id ?? ''}`;
}

/** Actions must point at things of this org: a foreign endpoint or user is bad input (400). */
async function checkReferences(tx: Tx, orgId: string, actions: PolicyAction[]): Promise<void> {
  for (const [i, action] of actions.entries()) {
    if (action.type === 'webhook') {
      const found = await tx.db
        .selectFrom('webhook_endpoints')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', '=', action.endpoint_id)
        .executeTakeFirst();
      if (!found)
        throw new AppError('validation_failed', `actions.${i}.endpoint_id: no such webhook endpoint`);
    }
    if (action.type === 'create_incident' && action.assignee_id) {
      const found = await tx.db
        .selectFrom('users')
        .select('id')
        .where('org_id', '=', orgId)
        .where('id', '=', action.assignee_id)
        .executeTakeFirst();
      if (!found) throw new AppError('validation_failed', `actions.${i}.assignee_id: no such user`);
    }
  }
}

async function insertVersion(
  tx: Tx,
  orgId: string,
  policyId: string,
  version: number,
  content: PolicyContent,
  actor: Actor,
) {
  await tx.db
    .insertInto('policy_versions')
    .values({
      org_id: orgId,
      policy_id: policyId,
      version,
      name: content.name,
      description: content.description,
      severity: content.severity,
      trigger: JSON.stringify(content.trigger),
      conditions: JSON.stringify(content.conditions),
      actions: JSON.stringify(content.actions),
      created_by: actorLabel(actor),
    })
    .execute();
}

async function loadPolicy(tx: Tx, orgId: string, id: string, lock = false): Promise<PolicyView> {
  let query = tx.db
    .selectFrom('policies as p')
    .innerJoin('policy_versions as v', (j) =>
      j
        .onRef('v.org_id', '=', 'p.org_id')
        .onRef('v.policy_id', '=', 'p.id')
        .onRef('v.version', '=', 'p.current_version'),
    )
    .select([
      'p.id',
      'p.status',
      'p.current_version',
      'p.published_version',
      'p.created_at',
      'p.updated_at',
      'v.name',
      'v.description',
      'v.severity',
      'v.trigger',
      'v.conditions',
      'v.actions',
    ])
    .where('p.org_id', '=', orgId)
    .where('p.id', '=', id);
  if (lock) query = query.forUpdate('p');
  const row = await query.executeTakeFirst();
  if (!row) throw new AppError('not_found', `policy ${id} not found`);
  return {
    ...row,
    version: row.current_version,
    trigger: row.trigger as PolicyTrigger,
    conditions: row.conditions as PolicyContent['conditions'],
    actions: row.actions as PolicyAction[],
    has_unpublished_changes: row.published_version !== row.current_version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export async function createPolicy(
  db: Database,
  orgId: string,
  actor: Actor,
  content: PolicyContent,
): Promise<PolicyView> {
  return db.withTenant(orgId, async (tx) => {
    await checkReferences(tx, orgId, content.actions);
    const policy = await tx.db
      .insertInto('policies')
      .values({ org_id: orgId, published_version: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await insertVersion(tx, orgId, policy.id, 1, content, actor);
    await appendAudit(tx, orgId, actor, {
      action: 'policy.create',
      targetType: 'policy',
      targetId: policy.id,
      details: { version: 1, ...content },
    });
    return loadPolicy(tx, orgId, policy.id);
  });
}

export async function getPolicy(db: Database, orgId: string, id: string): Promise<PolicyView> {
  return db.withTenant(orgId, (tx) => loadPolicy(tx, orgId, id));
}

export async function listPolicies(
  db: Database,
  orgId: string,
  filter: { status?: PolicyStatus; trigger?: string },
): Promise<PolicyView[]> {
  return db.withTenant(orgId, async (tx) => {
    let query = tx.db.selectFrom('policies').select('id').where('org_id', '=', orgId);
    if (filter.status) query = query.where('status', '=', filter.status);
    const ids = await query.orderBy('created_at').orderBy('id').execute();
    const views: PolicyView[] = [];
    for (const { id } of ids) views.push(await loadPolicy(tx, orgId, id));
    return filter.trigger ? views.filter((v) => v.trigger.type === filter.trigger) : views;
  });
}

export async function listPolicyVersions(
  db: Database,
  orgId: string,
  id: string,
): Promise<PolicyVersionView[]> {
  return db.withTenant(orgId, async (tx) => {
    await loadPolicy(tx, orgId, id);
    const rows = await tx.db
      .selectFrom('policy_versions')
      .select(versionColumns)
      .where('org_id', '=', orgId)
      .where('policy_id', '=', id)
      .orderBy('version', 'desc')
      .execute();
    return rows.map(versionView);
  });
}

export async function getPolicyVersion(
  tx: Tx,
  orgId: string,
  id: string,
  version: number,
): Promise<PolicyVersionView> {
  const row = await tx.db
    .selectFrom('policy_versions')
    .select(versionColumns)
    .where('org_id', '=', orgId)
    .where('policy_id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `policy ${id} has no version ${version}`);
  return versionView(row);
}

/** Every edit is a new version; the published version keeps running until the next publish. */
export async function updatePolicy(
  db: Database,
  orgId: string,
  actor: Actor,
  id: string,
  patch: z.output<typeof policyPatchSchema>,
): Promise<PolicyView> {
  return db.withTenant(orgId, async (tx) => {
    const current = await loadPolicy(tx, orgId, id, true);
    const merged = policyContentSchema.safeParse({
      name: patch.name ?? current.name,
      description: patch.description ?? current.description,
      severity: patch.severity ?? current.severity,
      trigger: patch.trigger ?? current.trigger,
      conditions: patch.conditions === undefined ? current.conditions : patch.conditions,
      actions: patch.actions ?? current.actions,
    });
    if (!merged.success)
      throw new AppError('validation_failed', merged.error.issues.map((i) => i.message).join('; '));
    await checkReferences(tx, orgId, merged.data.actions);
    const version = current.current_version + 1;
    await insertVersion(tx, orgId, id, version, merged.data, actor);
    await tx.db
      .updateTable('policies')
      .set({ current_version: version, updated_at: new Date() })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
    await appendAudit(tx, orgId, actor, {
      action: 'policy.update',
      targetType: 'policy',
      targetId: id,
      details: { version, ...patch },
    });
    return loadPolicy(tx, orgId, id);
  });
}

/** Publishes the current version (or a named earlier one: a rollback). */
export async function publishPolicy(
  db: Database,
  orgId: string,
  actor: Actor,
  id: string,
  version?: number,
): Promise<PolicyView> {
  return db.withTenant(orgId, async (tx) => {
    const current = await loadPolicy(tx, orgId, id, true);
    const target = version ?? current.current_version;
    await getPolicyVersion(tx, orgId, id, target);
    await tx.db
      .updateTable('policies')
      .set({ status: 'published', published_version: target, updated_at: new Date() })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
    await appendAudit(tx, orgId, actor, {
      action: 'policy.publish',
      targetType: 'policy',
      targetId: id,
      details: { version: target },
    });
    return loadPolicy(tx, orgId, id);
  });
}

export async function disablePolicy(
  db: Database,
  orgId: string,
  actor: Actor,
  id: string,
): Promise<PolicyView> {
  return db.withTenant(orgId, async (tx) => {
    const current = await loadPolicy(tx, orgId, id, true);
    if (current.status === 'draft')
      throw new AppError('conflict', 'a draft is not running; publish it first or delete it');
    await tx.db
      .updateTable('policies')
      .set({ status: 'disabled', updated_at: new Date() })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
    await appendAudit(tx, orgId, actor, { action: 'policy.disable', targetType: 'policy', targetId: id });
    return loadPolicy(tx, orgId, id);
  });
}

/** Only never-published drafts are deleted; a policy that ran keeps its history (disable it). */
export async function deletePolicy(db: Database, orgId: string, actor: Actor, id: string): Promise<void> {
  await db.withTenant(orgId, async (tx) => {
    const current = await loadPolicy(tx, orgId, id, true);
    if (current.published_version !== null) {
      throw new AppError(
        'conflict',
        'this policy has been published; disable it instead (its history is kept)',
      );
    }
    await tx.db
      .deleteFrom('policy_versions')
      .where('org_id', '=', orgId)
      .where('policy_id', '=', id)
      .execute();
    await tx.db.deleteFrom('policies').where('org_id', '=', orgId).where('id', '=', id).execute();
    await appendAudit(tx, orgId, actor, { action: 'policy.delete', targetType: 'policy', targetId: id });
  });
}

/** The published versions of an org's running policies with the given trigger types. */
export async function loadRunnablePolicies(
  tx: Tx,
  orgId: string,
  triggers: readonly string[],
): Promise<RunnablePolicy[]> {
  const rows = await tx.db
    .selectFrom('policies as p')
    .innerJoin('policy_versions as v', (j) =>
      j
        .onRef('v.org_id', '=', 'p.org_id')
        .onRef('v.policy_id', '=', 'p.id')
        .onRef('v.version', '=', 'p.published_version'),
    )
    .select(['p.id', ...versionColumns.map((c) => `v.${c}` as const)])
    .where('p.org_id', '=', orgId)
    .where('p.status', '=', 'published')
    .execute();
  return rows.map((r) => ({ id: r.id, ...versionView(r) })).filter((p) => triggers.includes(p.trigger.type));
}
