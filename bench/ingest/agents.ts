import type { Agent } from 'node:https';
import { request } from 'node:https';
import { newEventId } from '@toktra/core';

const HOSTS = [
  'api.openai.com',
  'api.anthropic.com',
  'claude.ai',
  'chatgpt.com',
  'api.mistral.ai',
  'copilot-proxy.githubusercontent.com',
];

export interface AgentConn {
  deviceId: string;
  agent: Agent;
}

export function makeEvents(n: number, marker = 0): Record<string, unknown>[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    id: newEventId(),
    occurred_at: new Date(now - 60_000 - ((i * 7919) % 3_600_000)).toISOString(),
    host: HOSTS[i % HOSTS.length],
    transport: i % 5 === 0 ? 'quic' : 'tcp',
    // The first event's bytes carry the marker, so an SSE total identifies its batch.
    bytes_up: i === 0 ? 10_000_000 + marker : 3_000 + (i % 97) * 40,
    bytes_down: 20_000 + (i % 89) * 500,
    duration_ms: 1_000 + (i % 50) * 100,
    os_user: i % 3 === 0 ? 'dev' : undefined,
    source: 'agent',
  }));
}

export function post(
  ingestUrl: string,
  conn: AgentConn,
  events: unknown[],
): Promise<{ status: number; body: string }> {
  const payload = Buffer.from(JSON.stringify({ events }));
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('/ingest/v1/batches', ingestUrl),
      {
        method: 'POST',
        agent: conn.agent,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
