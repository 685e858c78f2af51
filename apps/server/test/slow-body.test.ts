import { connect } from 'node:net';
import type { TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAuthTestContext } from '../src/auth/testing.js';
import type { AppContext } from '../src/context.js';
import { buildHttpApp, type HttpApp } from '../src/http/app.js';

let ctx: AppContext;
let handle: TestDatabase;
let app: HttpApp;
let port: number;

beforeAll(async () => {
  ({ ctx, handle } = await createAuthTestContext());
  app = await buildHttpApp(ctx, {
    requestTimeoutMs: 5_000,
    connectionTimeoutMs: 5_000,
    anonymousBodyTimeoutMs: 300,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

it('cuts an unauthenticated sign-in whose body trickles in', async () => {
  const socket = connect(port, '127.0.0.1');
  const started = Date.now();
  socket.write(
    'POST /auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
  );
  const drip = setInterval(() => socket.write(' '), 100);
  await new Promise((resolve) => socket.on('close', resolve));
  clearInterval(drip);
  expect(Date.now() - started).toBeLessThan(3_000);
});
