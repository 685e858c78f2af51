import { BASELINE_DAYS, evaluateConditions, type PolicySubject, robustZScore } from '@toktra/core';
import { addDays, dayInZone } from '../usage/time-zone.js';
import type { RunnablePolicy } from './service.js';

/** One usage event as the usage-driven triggers see it. */
export interface StreamEvent {
  id: string;
  occurred_at: Date;
  user_id: string | null;
  department_id: string | null;
  model: string | null;
  provider: string;
  tokens: number;
}

/** A trigger+conditions match: fires once per `dedupeKey` per policy. */
export interface Candidate {
  policy: RunnablePolicy;
  /** What raised it: a usage event, a risk event, a governance signal, or (a test replayed from
   * the daily rollups) a department's or user's day. */
  ref: { kind: 'event' | 'risk_event' | 'signal' | 'day'; id: string };
  occurred_at: Date;
  dedupeKey: string;
  subject: PolicySubject;
  summary: string;
}

const hourFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local hour (0–23) of an instant in an IANA zone. */
export function hourInZone(at: Date, timeZone: string): number {
  let f = hourFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' });
    hourFormatters.set(timeZone, f);
  }
  return Number(f.format(at)) % 24;
}

export function hourKey(at: Date): string {
  return new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000).toISOString();
}

/** A department and its ancestors, nearest first (cycle-safe). */
export function departmentPath(id: string | null, parents: ReadonlyMap<string, string | null>): string[] {
  const path: string[] = [];
  let current = id;
  while (current && !path.includes(current)) {
    path.push(current);
    current = parents.get(current) ?? null;
  }
  return path;
}

/**
 * The running state of the usage-driven triggers (unusual usage, department threshold): each
 * user's tokens per day (org time zone) and per UTC hour, and each department's subtree tokens
 * per day and month. `evaluate` judges an event against the state *before* it, then adds it.
 * The live engine and test-against-history both drive this one class, so they agree.
 */
export class UsageStream {
  private readonly userDays = new Map<string, Map<string, number>>();
  private readonly userHours = new Map<string, Map<string, number>>();
  private readonly deptPeriods = new Map<string, Map<string, number>>();

  constructor(
    private readonly timeZone: string,
    private readonly parents: ReadonlyMap<string, string | null>,
  ) {}

  private static bump(
    map: Map<string, Map<string, number>>,
    owner: string,
    key: string,
    tokens: number,
  ): void {
    let inner = map.get(owner);
    if (!inner) {
      inner = new Map();
      map.set(owner, inner);
    }
    inner.set(key, (inner.get(key) ?? 0) + tokens);
  }

  addUserDay(userId: string, day: string, tokens: number): void {
    UsageStream.bump(this.userDays, userId, day, tokens);
  }

  addUserHour(userId: string, hour: string, tokens: number): void {
    UsageStream.bump(this.userHours, userId, hour, tokens);
  }

  /** Adds a department's own tokens to it and every ancestor; `day` is the local day. */
  addDepartmentDay(departmentId: string, day: string, tokens: number): void {
    for (const dept of departmentPath(departmentId, this.parents)) {
      UsageStream.bump(this.deptPeriods, dept, `day:${day}`, tokens);
      UsageStream.bump(this.deptPeriods, dept, `month:${day.slice(0, 7)}`, tokens);
    }
  }

  add(event: StreamEvent): void {
    const day = dayInZone(event.occurred_at, this.timeZone);
    if (event.user_id) {
      this.addUserDay(event.user_id, day, event.tokens);
      this.addUserHour(event.user_id, hourKey(event.occurred_at), event.tokens);
    }
    if (event.department_id) this.addDepartmentDay(event.department_id, day, event.tokens);
  }

  /** Candidates this event raises among `policies`, then the event joins the state. */
  evaluate(event: StreamEvent, policies: readonly RunnablePolicy[]): Candidate[] {
    const found: Candidate[] = [];
    const day = dayInZone(event.occurred_at, this.timeZone);
    const base: PolicySubject = {
      hour_of_day: hourInZone(event.occurred_at, this.timeZone),
      provider: event.provider,
      ...(event.model ? { model: event.model } : {}),
      ...(event.user_id ? { user_id: event.user_id } : {}),
    };
    for (const policy of policies) {
      const trigger = policy.trigger;
      if (trigger.type === 'unusual_usage' && event.user_id) {
        const c = this.unusual(event, policy, trigger.params, day, base);
        if (c) found.push(c);
      }
      if (trigger.type === 'department_threshold' && event.department_id) {
        found.push(...this.threshold(event, policy, trigger.params, day, base));
      }
    }
    this.add(event);
    return found;
  }

  private unusual(
    event: StreamEvent,
    policy: RunnablePolicy,
    params: { min_zscore: number; granularity: 'day' | 'hour'; min_tokens: number },
    day: string,
    base: PolicySubject,
  ): Candidate | null {
    const user = event.user_id as string;
    const hourly = params.granularity === 'hour';
    const buckets = (hourly ? this.userHours : this.userDays).get(user);
    const key = hourly ? hourKey(event.occurred_at) : day;
    const total = (buckets?.get(key) ?? 0) + event.tokens;
    if (total < params.min_tokens) return null;
    const history: number[] = [];
    if (hourly) {
      const start = new Date(key).getTime();
      for (let i = 1; i <= BASELINE_DAYS * 24; i++) {
        history.push(buckets?.get(new Date(start - i * 3_600_000).toISOString()) ?? 0);
      }
    } else {
      for (let i = 1; i <= BASELINE_DAYS; i++) history.push(buckets?.get(addDays(day, -i)) ?? 0);
    }
    const zscore = robustZScore(total, history);
    if (zscore < params.min_zscore) return null;
    const path = departmentPath(event.department_id, this.parents);
    const subject: PolicySubject = {
      ...base,
      tokens: total,
      zscore,
      ...(event.department_id ? { department_id: event.department_id, department_path: path } : {}),
    };
    if (!evaluateConditions(policy.conditions, subject)) return null;
    return {
      policy,
      ref: { kind: 'event', id: event.id },
      occurred_at: event.occurred_at,
      dedupeKey: `unusual:${user}:${key}`,
      subject,
      summary: `${total} tokens this ${hourly ? 'hour' : 'day'}, a robust z-score of ${Number.isFinite(zscore) ? zscore.toFixed(1) : '∞'} against the last ${BASELINE_DAYS} days.`,
    };
  }

  private threshold(
    event: StreamEvent,
    policy: RunnablePolicy,
    params: { limit_tokens: number; period: 'day' | 'month' },
    day: string,
    base: PolicySubject,
  ): Candidate[] {
    const period = params.period === 'day' ? day : day.slice(0, 7);
    const found: Candidate[] = [];
    for (const dept of departmentPath(event.department_id, this.parents)) {
      const before = this.deptPeriods.get(dept)?.get(`${params.period}:${period}`) ?? 0;
      const after = before + event.tokens;
      if (!(before < params.limit_tokens && after >= params.limit_tokens)) continue;
      const subject: PolicySubject = {
        ...base,
        tokens: after,
        department_id: dept,
        department_path: departmentPath(dept, this.parents),
      };
      if (!evaluateConditions(policy.conditions, subject)) continue;
      found.push({
        policy,
        ref: { kind: 'event', id: event.id },
        occurred_at: event.occurred_at,
        dedupeKey: `department:${dept}:${period}`,
        subject,
        summary: `The department's usage reached ${after} tokens this ${params.period} (limit ${params.limit_tokens}).`,
      });
    }
    return found;
  }
}
