import { AppError } from '@toktra/core';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { auth } from '../auth/route-auth.js';
import { resolveConfig } from '../config.js';
import { createContext } from '../context.js';
import { buildHttpApp, type HttpApp } from './app.js';
import { STATUS_BY_CODE } from './error-handler.js';

let handle: TestDatabase;
let app: HttpApp;

beforeAll(async () => {
  handle = await createTestDatabase();
  app = await buildHttpApp(createContext(resolveConfig({}), handle.db, pino({ level: 'silent' })));
  app.withTypeProvider<ZodTypeProvider>().post(
    '/test/echo',
    {
      schema: { body: z.object({ name: z.string().min(2), count: z.number().int().nonnegative() }) },
      config: { auth: auth.public('test route') },
    },
    async (request) => request.body,
  );
  const open = { config: { auth: auth.public('test route') } };
  app.get('/test/app-error/:code', open, async (request) => {
    throw new AppError((request.params as { code: 'conflict' }).code, 'told to fail');
  });
  app.get('/test/bug', open, async () => {
    throw new Error('secret internals');
  });
});
afterAll(async () => {
  await app.close();
  await handle.drop();
});

describe('HTTP errors', () => {
  it('maps every AppError code to its status and the one body shape', async () => {
    for (const [code, status] of Object.entries(STATUS_BY_CODE)) {
      const res = await app.inject({ method: 'GET', url: `/test/app-error/${code}` });
      expect(res.statusCode).toBe(status);
      expect(res.json()).toEqual({ error: { code, message: 'told to fail' } });
    }
  });

  it('answers invalid bodies with 400 validation_failed naming the field', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'x', count: -1 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
    expect(res.json().error.message).toMatch(/body\.name/);
    expect(res.json().error.message).toMatch(/body\.count/);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('bad_request');
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('unsupported_media_type');
  });

  it('answers an oversized body with 413', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: `{"name":"${'x'.repeat(11 * 1024 * 1024)}"}`,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /v1/nope' } });
  });

  it('answers a malformed percent-encoding with 400, not 500', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('bad_request');
  });

  it('hides internals of unexpected errors behind a 500', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/bug' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });
});
