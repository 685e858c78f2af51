import type { RatioOverrides } from '@toktra/core';
import type { Database, StoredRatio, Tx } from '@toktra/db';
import type { AppContext } from '../context.js';
import { loadProviderDays } from './daily.js';
import { calibrationDays, defaultRatios, fitProvider, MIN_HOUR_WINDOWS, MIN_WINDOWS } from './fit.js';

/** Calibration looks back this many complete UTC days. */
export const CALIBRATION_DAYS = 28;
const CACHE_TTL_MS = 5 * 60_000;

type CacheEntry = { at: number; value: RatioOverrides };
const caches = new WeakMap<AppContext, Map<string, CacheEntry>>();
function cacheOf(ctx: AppContext): Map<string, CacheEntry> {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new Map();
    caches.set(ctx, cache);
  }
  return cache;
}

export interface FitRow {
  provider: string;
  fitted_at: Date;
  window_start: string;
  window_end: string;
  windows_used: number;
  windows_excluded: number;
  up_ratio: StoredRatio | null;
  down_ratio: StoredRatio | null;
  up_rel_sigma: number | null;
  down_rel_sigma: number | null;
  mape_before_input: number | null;
  mape_after_input: number | null;
  mape_before_output: number | null;
  mape_after_output: number | null;
}

/** The newest fit with a ratio, per provider: the calibration in force. */
export async function loadActiveFits(db: Database, orgId: string): Promise<Map<string, FitRow>> {
  const rows = await db.withTenant(orgId, (tx) =>
    tx.db
      .selectFrom('calibration_fits')
      .selectAll()
      .where('org_id', '=', orgId)
      .where((eb) => eb.or([eb('up_ratio', 'is not', null), eb('down_ratio', 'is not', null)]))
      .orderBy('fitted_at', 'desc')
      .execute(),
  );
  const active = new Map<string, FitRow>();
  for (const r of rows) if (!active.has(r.provider)) active.set(r.provider, r);
  return active;
}

/**
 * The org's calibrated ratios in the estimator's `RatioOverrides` form (bare provider key =
 * `provider/api`). Cached in memory per context; `refitCalibration` invalidates it.
 */
export async function getCalibratedRatios(ctx: AppContext, orgId: string): Promise<RatioOverrides> {
  const cache = cacheOf(ctx);
  const hit = cache.get(orgId);
  if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.value;
  const value: Record<string, { up?: StoredRatio; down?: StoredRatio }> = {};
  for (const [provider, fit] of await loadActiveFits(ctx.db, orgId)) {
    value[provider] = {
      ...(fit.up_ratio ? { up: fit.up_ratio } : {}),
      ...(fit.down_ratio ? { down: fit.down_ratio } : {}),
    };
  }
  cache.set(orgId, { at: Date.now(), value });
  return value;
}

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The last `CALIBRATION_DAYS` complete UTC days. */
function calibrationRange(now: Date): { startDay: string; endDay: string } {
  const today = Date.parse(`${isoDay(now.getTime())}T00:00:00Z`);
  return { startDay: isoDay(today - CALIBRATION_DAYS * 86_400_000), endDay: isoDay(today - 86_400_000) };
}

export interface CalibrationReadiness {
  /** Why the provider has no fit yet; null once it has one. */
  reason: string | null;
  /** Usable windows (provider data and agent-observed API traffic) in the calibration range. */
  windows: { days: number; hours: number };
  required: { days: number; hours: number };
}

/**
 * Says why a provider is not calibrated (yet), with the windows it has against those the fit
 * needs, so the page never shows "not calibrated" without a reason.
 */
async function readinessOf(
  tx: Tx,
  orgId: string,
  provider: string,
  synced: boolean,
  calibrated: boolean,
  now: Date,
): Promise<CalibrationReadiness> {
  const required = { days: MIN_WINDOWS, hours: MIN_HOUR_WINDOWS };
  const range = calibrationRange(now);
  const windows = {
    days: calibrationDays(await loadProviderDays(tx, orgId, provider, range, 'day')).length,
    hours: calibrationDays(await loadProviderDays(tx, orgId, provider, range, 'hour')).length,
  };
  let reason: string | null = null;
  if (calibrated) reason = null;
  else if (!synced) reason = 'No reconciled data yet: the provider connection has not synced.';
  else if (windows.days < required.days || windows.hours < required.hours)
    reason = `Needs at least ${required.days} day-windows and ${required.hours} hour-windows with both provider data and agent-observed API traffic in the last ${CALIBRATION_DAYS} days; has ${windows.days} and ${windows.hours}.`;
  else
    reason =
      'Enough windows, but the traffic does not determine a ratio (e.g. the same bytes per connection every hour); the defaults stay in force.';
  return { reason, windows, required };
}

/**
 * Refits one provider's ratios from the last `CALIBRATION_DAYS` complete UTC days and stores the
 * fit (history is kept). Returns null, storing nothing, when there are too few usable days.
 */
export async function refitCalibration(
  ctx: AppContext,
  orgId: string,
  provider: string,
  now: Date = new Date(),
): Promise<FitRow | null> {
  const range = calibrationRange(now);
  const row = await ctx.db.withTenant(orgId, async (tx) => {
    const fit = fitProvider(
      provider,
      await loadProviderDays(tx, orgId, provider, range, 'hour'),
      await loadProviderDays(tx, orgId, provider, range, 'day'),
    );
    if (!fit || (!fit.up && !fit.down)) return null;
    return tx.db
      .insertInto('calibration_fits')
      .values({
        org_id: orgId,
        provider,
        window_start: range.startDay,
        window_end: range.endDay,
        windows_used: fit.used.length,
        windows_excluded: fit.excluded.length,
        up_ratio: fit.up ? JSON.stringify(fit.up.ratio) : null,
        down_ratio: fit.down ? JSON.stringify(fit.down.ratio) : null,
        up_rel_sigma: fit.up?.relSigma ?? null,
        down_rel_sigma: fit.down?.relSigma ?? null,
        mape_before_input: fit.up?.mapeBefore ?? null,
        mape_after_input: fit.up?.mapeAfter ?? null,
        mape_before_output: fit.down?.mapeBefore ?? null,
        mape_after_output: fit.down?.mapeAfter ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  cacheOf(ctx).delete(orgId);
  return row;
}

export interface CalibrationReport {
  provider: string;
  calibrated: boolean;
  fitted_at: string | null;
  window: { start_date: string; end_date: string } | null;
  windows_used: number;
  windows_excluded: number;
  ratios: { up: StoredRatio | null; down: StoredRatio | null };
  default_ratios: { up: StoredRatio; down: StoredRatio };
  error: {
    input: { mape_before: number | null; mape_after: number | null };
    output: { mape_before: number | null; mape_after: number | null };
  };
  history: Array<{
    fitted_at: string;
    windows_used: number;
    mape_after_input: number | null;
    mape_after_output: number | null;
  }>;
  readiness: CalibrationReadiness;
}

/** Per provider with reconciled data: the fit in force, its error before/after, and fit history. */
export async function getCalibrationReport(
  db: Database,
  orgId: string,
  now: Date = new Date(),
): Promise<CalibrationReport[]> {
  const [providers, fits] = await db.withTenant(orgId, async (tx) => [
    await tx.db
      .selectFrom('provider_connections')
      .select(['provider', 'last_synced_at'])
      .where('org_id', '=', orgId)
      .execute(),
    await tx.db
      .selectFrom('calibration_fits')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('fitted_at', 'desc')
      .limit(500)
      .execute(),
  ]);
  const names = [
    ...new Set([...providers.map((p) => p.provider as string), ...fits.map((f) => f.provider)]),
  ].sort();
  const synced = new Set(providers.filter((p) => p.last_synced_at).map((p) => p.provider as string));
  const readiness = await db.withTenant(orgId, async (tx) => {
    const out = new Map<string, CalibrationReadiness>();
    for (const provider of names) {
      const calibrated = fits.some((f) => f.provider === provider && (f.up_ratio || f.down_ratio));
      out.set(provider, await readinessOf(tx, orgId, provider, synced.has(provider), calibrated, now));
    }
    return out;
  });
  return names.map((provider) => {
    const mine = fits.filter((f) => f.provider === provider);
    const active = mine.find((f) => f.up_ratio || f.down_ratio);
    return {
      readiness: readiness.get(provider) as CalibrationReadiness,
      provider,
      calibrated: !!active,
      fitted_at: active?.fitted_at.toISOString() ?? null,
      window: active ? { start_date: active.window_start, end_date: active.window_end } : null,
      windows_used: active?.windows_used ?? 0,
      windows_excluded: active?.windows_excluded ?? 0,
      ratios: { up: active?.up_ratio ?? null, down: active?.down_ratio ?? null },
      default_ratios: defaultRatios(provider),
      error: {
        input: {
          mape_before: active?.mape_before_input ?? null,
          mape_after: active?.mape_after_input ?? null,
        },
        output: {
          mape_before: active?.mape_before_output ?? null,
          mape_after: active?.mape_after_output ?? null,
        },
      },
      history: mine.slice(0, 20).map((f) => ({
        fitted_at: f.fitted_at.toISOString(),
        windows_used: f.windows_used,
        mape_after_input: f.mape_after_input,
        mape_after_output: f.mape_after_output,
      })),
    };
  });
}
