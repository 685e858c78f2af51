import { randomUUID } from 'node:crypto';
import { newEventId } from '@toktra/core';
import type { AppContext } from '../context.js';
import { ingestBatch } from '../usage/ingest.js';

/** Ingests reported token usage for users (as an LLM gateway would), one event per entry. */
export async function ingestTokens(
  ctx: AppContext,
  orgId: string,
  entries: Array<{
    userId: string;
    tokens: number;
    at?: Date;
    provider?: string;
    model?: string;
    output?: number;
  }>,
): Promise<void> {
  const result = await ingestBatch(
    ctx,
    orgId,
    { type: 'api', keyId: randomUUID() },
    entries.map((e) => ({
      id: newEventId(),
      occurred_at: (e.at ?? new Date()).toISOString(),
      user_id: e.userId,
      provider: e.provider ?? 'openai',
      ...(e.model ? { model: e.model } : {}),
      input_tokens: e.tokens,
      output_tokens: e.output ?? 0,
    })),
  );
  if (result.rejected.length > 0) throw new Error(`ingest rejected: ${JSON.stringify(result.rejected)}`);
}

export const ADMIN = { type: 'cli', id: null } as const;
