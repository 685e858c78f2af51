import { EventEmitter } from 'node:events';
import type { AppContext } from '../context.js';

/** Published when a provider's reported usage exceeds what agents saw beyond the uncertainty band. */
export interface ShadowAiGapNotice {
  type: 'shadow_ai.gap';
  orgId: string;
  provider: string;
  date: string;
  gap_tokens: number;
  band: { lower: number; upper: number };
  /** Gap as a share of the provider-reported total. */
  share: number;
}

type Events = { 'shadow_ai.gap': [ShadowAiGapNotice] };

const buses = new WeakMap<AppContext, EventEmitter<Events>>();

/**
 * The per-context emitter of Shadow AI notices, for the policy engine to use as a trigger
 * (`shadowAiNotices(ctx).on('shadow_ai.gap', …)`). Kept beside the usage bus rather than on it:
 * these are derived findings, not ingested usage.
 */
export function shadowAiNotices(ctx: AppContext): EventEmitter<Events> {
  let bus = buses.get(ctx);
  if (!bus) {
    bus = new EventEmitter<Events>();
    bus.setMaxListeners(0);
    buses.set(ctx, bus);
  }
  return bus;
}
