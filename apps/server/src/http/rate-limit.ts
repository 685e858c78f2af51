import { AppError } from '@toktra/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitConfig } from '../config.js';
import type { AppContext } from '../context.js';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Buckets idle this long are full again anyway, so they are dropped to bound memory. */
const IDLE_MS = 10 * 60_000;

/**
 * A token bucket per key, in memory: `burst` requests at once, refilled at `requestsPerMinute`.
 * Per process — behind a load balancer each node enforces its own share, which is the usual
 * trade for not putting a shared store on every request.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private lastSweep = Date.now();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = config.requestsPerMinute / 60_000;
  }

  /** Takes one token; returns 0 when allowed, else the seconds until one is available. */
  take(key: string): number {
    const now = this.now();
    this.sweep(now);
    const capacity = Math.max(1, this.config.burst);
    const bucket = this.buckets.get(key) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updatedAt) * this.perMs);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    if (this.perMs <= 0) return 60;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < IDLE_MS) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAt > IDLE_MS) this.buckets.delete(key);
    }
  }
}

/**
 * A preHandler placed after `requireApiKey`: charges the request to its API key and answers
 * 429 `rate_limited` with `Retry-After` when the key's bucket is empty.
 */
export function rateLimitByApiKey(ctx: AppContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const keyId = request.apiKey?.keyId;
    if (!keyId) return;
    const retryAfter = ctx.rateLimiter.take(keyId);
    if (retryAfter > 0) {
      reply.header('Retry-After', String(retryAfter));
      throw new AppError('rate_limited', `rate limit exceeded; retry in ${retryAfter} s`, {
        retry_after_seconds: retryAfter,
      });
    }
  };
}
