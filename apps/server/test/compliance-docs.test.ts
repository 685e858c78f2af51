import { readFileSync } from 'node:fs';
import { createTestDatabase, listTables, type TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionRequestSchema } from '../src/extension/request-input.js';
import { heartbeatBody } from '../src/ingest-server/routes.js';
import { agentEventSchema } from '../src/usage/event-input.js';

/**
 * docs/compliance/dpia.md must describe what the code collects: every field the agent and the
 * extension may send, and every database table. Adding one without documenting it fails here.
 */
const dpia = readFileSync(new URL('../../../docs/compliance/dpia.md', import.meta.url), 'utf8');

/** The text of a markdown section, from its heading to the next heading of the same or higher level. */
function section(heading: string): string {
  const start = dpia.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`dpia.md has no "${heading}"`);
  const level = heading.indexOf(' ');
  const rest = dpia.slice(start + heading.length);
  const next = rest.search(new RegExp(`\\n#{1,${level}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

/** Backticked names in the first column of the section's tables. */
function documented(heading: string): string[] {
  return [...section(heading).matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) =>
    [...(m[1] ?? '').matchAll(/`([a-z_]+)`/g)].map((n) => n[1] ?? ''),
  );
}

let handle: TestDatabase;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(() => handle.drop());

describe('the compliance description matches the code', () => {
  it('lists exactly the fields of an agent usage event', () => {
    expect(documented('### Agent usage event').sort()).toEqual(Object.keys(agentEventSchema.shape).sort());
  });

  it('lists exactly the fields of a heartbeat', () => {
    expect(documented('### Agent heartbeat').sort()).toEqual(Object.keys(heartbeatBody.shape).sort());
  });

  it('lists exactly the fields the browser extension may send', () => {
    expect(documented('### Browser extension request').sort()).toEqual(
      Object.keys(extensionRequestSchema.shape).sort(),
    );
  });

  it('describes every database table', async () => {
    const tables = await listTables(handle.db);
    const described = new Set(documented('## 4. Where it is stored'));
    const missing = tables.filter((t) => !described.has(t));
    expect(missing).toEqual([]);
    expect(tables.length).toBeGreaterThan(40);
  });
});
