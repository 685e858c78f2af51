/**
 * A fixed-window attempt counter kept in memory: enough for one server process, and sign-in is
 * the one path that needs it. Keys are e.g. `ip|email`, so one attacker cannot lock out a user
 * from everywhere and one IP cannot spray many accounts unnoticed (each key counts separately).
 */
export class AttemptLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly maxAttempts: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt; returns the seconds to wait when the key is over its limit. */
  hit(key: string): { allowed: boolean; retryAfterSeconds: number } {
    const now = this.now();
    const current = this.windows.get(key);
    const window = current && now - current.start < this.windowMs ? current : { start: now, count: 0 };
    window.count += 1;
    this.windows.set(key, window);
    if (this.windows.size > 100_000) this.prune(now);
    const allowed = window.count <= this.maxAttempts;
    return {
      allowed,
      retryAfterSeconds: allowed ? 0 : Math.ceil((window.start + this.windowMs - now) / 1000),
    };
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.start >= this.windowMs) this.windows.delete(key);
    }
  }
}
