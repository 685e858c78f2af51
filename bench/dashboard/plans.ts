/**
 * Query plans of the dashboard's calls: every SQL statement a call runs is captured (a Kysely
 * plugin on the store the server uses) and EXPLAINed in the org's tenant transaction with
 * `enable_seqscan = off`, so on a small dataset a sequential scan remains only where no index can
 * serve the query. Used by the CI guard (apps/server/test/dashboard-plans.test.ts) and by
 * bench/dashboard/write-plans.ts, which checks the plans in under docs/query-plans/.
 */
import { type Database, RegionStore } from '@toktra/db';
import { CompiledQuery, type KyselyPlugin } from 'kysely';

export interface CapturingStore {
  db: Database;
  /** The statements run since the last call. */
  take(): CompiledQuery[];
}

export function captureQueries(store: RegionStore): CapturingStore {
  let captured: CompiledQuery[] = [];
  const executor = store.kysely.getExecutor();
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      captured.push(executor.compileQuery(args.node, args.queryId));
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
  const db = new RegionStore(
    store.kysely.withPlugin(plugin),
    store.kind,
    async () => {},
    undefined,
    store.region,
  );
  return {
    db,
    take: () => {
      const out = captured;
      captured = [];
      return out;
    },
  };
}

export interface ExplainedQuery {
  sql: string;
  plan: string;
}

/**
 * The scans in a plan that read an org's raw events without bounding their time: a Seq Scan of
 * `events` (or a partition), or an index/bitmap scan whose condition does not bound
 * `occurred_at` (with RLS every scan is limited to the org, so an index on `org_id` alone would
 * read all of the org's history as surely as a sequential scan). Empty = the plan is fine.
 */
export function unboundedEventScans(plan: string): string[] {
  const lines = plan.split('\n');
  const found: string[] = [];
  lines.forEach((line, i) => {
    const node =
      /(Seq Scan|Parallel Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan)( using \S+)? on (events|events_\w+)\b/.exec(
        line,
      );
    if (!node) return;
    if (node[1]?.includes('Seq Scan')) {
      found.push(line.trim());
      return;
    }
    // The node's own detail lines follow until the next node ("->") at any depth.
    let bounded = false;
    for (let j = i + 1; j < lines.length && !lines[j]?.includes('->'); j++) {
      if (/(Index Cond|Recheck Cond):.*occurred_at/.test(lines[j] ?? '')) bounded = true;
    }
    // A bitmap heap scan's condition is on its child index scan.
    if (
      node[1] === 'Bitmap Heap Scan' &&
      /Bitmap Index Scan[^\n]*\n[^>]*Index Cond:.*occurred_at/.test(lines.slice(i, i + 4).join('\n'))
    )
      bounded = true;
    if (!bounded) found.push(line.trim());
  });
  return found;
}

/** EXPLAINs each read statement (SELECT / WITH … SELECT) as the org's tenant, seq scans off. */
export async function explainQueries(
  store: RegionStore,
  orgId: string,
  queries: CompiledQuery[],
): Promise<ExplainedQuery[]> {
  const reads = queries.filter(
    (q) => /^\s*(select|with)\b/i.test(q.sql) && !/^\s*select set_config/i.test(q.sql),
  );
  const out: ExplainedQuery[] = [];
  for (const q of reads) {
    const plan = await store.withTenant(orgId, async (tx) => {
      await tx.db.executeQuery(CompiledQuery.raw('SET LOCAL enable_seqscan = off'));
      const result = await tx.db.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`EXPLAIN ${q.sql}`, [...q.parameters]),
      );
      return result.rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    out.push({ sql: q.sql, plan });
  }
  return out;
}
