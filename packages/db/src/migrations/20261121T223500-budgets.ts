import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from '../rls.js';

/**
 * Budgets and what hangs off them: one row per budget (a department's or the org's), one per
 * budget and period (calendar month in the org's time zone), the rollover history, exemption
 * requests, the org's price overrides and the block list preflight consults.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One budget per scope: department_id NULL is the whole org. Exactly one of the two limits.
  await sql`CREATE TABLE budgets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    department_id uuid,
    limit_tokens bigint CHECK (limit_tokens > 0),
    limit_cost numeric(20, 6) CHECK (limit_cost > 0),
    cap text NOT NULL CHECK (cap IN ('soft', 'hard')),
    thresholds jsonb NOT NULL DEFAULT '[]',
    rollover_cap_pct integer CHECK (rollover_cap_pct BETWEEN 0 AND 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((limit_tokens IS NULL) <> (limit_cost IS NULL)),
    UNIQUE (org_id, id),
    UNIQUE NULLS NOT DISTINCT (org_id, department_id),
    FOREIGN KEY (org_id, department_id) REFERENCES departments (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'budgets');

  // Amounts are in the budget's unit: tokens, or currency for money budgets.
  await sql`CREATE TABLE budget_periods (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    budget_id uuid NOT NULL,
    period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    limit_amount numeric(20, 6) NOT NULL,
    rollover_in numeric(20, 6) NOT NULL DEFAULT 0,
    spent numeric(20, 6),
    thresholds_fired jsonb NOT NULL DEFAULT '[]',
    closed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, budget_id, period),
    FOREIGN KEY (org_id, budget_id) REFERENCES budgets (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'budget_periods');

  await sql`CREATE TABLE budget_rollovers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    budget_id uuid NOT NULL,
    from_period text NOT NULL,
    to_period text NOT NULL,
    limit_amount numeric(20, 6) NOT NULL,
    rollover_in numeric(20, 6) NOT NULL,
    spent numeric(20, 6) NOT NULL,
    unused numeric(20, 6) NOT NULL,
    cap_pct integer NOT NULL,
    amount numeric(20, 6) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, budget_id, from_period),
    FOREIGN KEY (org_id, budget_id) REFERENCES budgets (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'budget_rollovers');

  await sql`CREATE TABLE budget_exemptions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    budget_id uuid NOT NULL,
    user_id uuid NOT NULL,
    period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    kind text NOT NULL CHECK (kind IN ('raise', 'lift')),
    raise_tokens bigint CHECK (raise_tokens > 0),
    justification text NOT NULL DEFAULT '',
    status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'rejected')),
    requested_by_type text NOT NULL,
    requested_by uuid,
    decided_by uuid,
    decided_at timestamptz,
    decision_note text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'raise') = (raise_tokens IS NOT NULL)),
    FOREIGN KEY (org_id, budget_id) REFERENCES budgets (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await sql`CREATE INDEX budget_exemptions_lookup ON budget_exemptions (org_id, period, status)`.execute(db);
  await enableTenantRls(db, 'budget_exemptions');

  // An org's override of the built-in price list; model '*' prices every model of the provider.
  await sql`CREATE TABLE model_prices (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    provider text NOT NULL CHECK (length(provider) BETWEEN 1 AND 100),
    model text NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
    input_per_mtok numeric(20, 6) NOT NULL CHECK (input_per_mtok >= 0),
    output_per_mtok numeric(20, 6) NOT NULL CHECK (output_per_mtok >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, provider, model)
  )`.execute(db);
  await enableTenantRls(db, 'model_prices');

  // One active block per user; unblocking deletes the row (the audit log keeps the history).
  await sql`CREATE TABLE user_blocks (
    org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id uuid NOT NULL,
    reason text NOT NULL,
    source text NOT NULL DEFAULT 'admin',
    until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
  )`.execute(db);
  await enableTenantRls(db, 'user_blocks');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'user_blocks',
    'model_prices',
    'budget_exemptions',
    'budget_rollovers',
    'budget_periods',
    'budgets',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
