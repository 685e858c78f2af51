import { createGunzip } from 'node:zlib';
import { AppError } from '@toktra/core';
import type { FastifyInstance } from 'fastify';

/**
 * Accepts `Content-Encoding: gzip` bodies. Fastify's body limit then applies to the inflated
 * bytes (so a small "zip bomb" is cut off at the limit), and the encoded length is reported so
 * Fastify's Content-Length check still compares like with like.
 */
export function acceptGzipBodies(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
    if (encoding === 'identity') return payload;
    if (encoding !== 'gzip') {
      throw new AppError(
        'unsupported_media_type',
        `Content-Encoding "${encoding}" is not supported; use gzip`,
      );
    }
    const gunzip = createGunzip();
    const inflated = gunzip as typeof gunzip & { receivedEncodedLength: number };
    inflated.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => {
      inflated.receivedEncodedLength += chunk.length;
    });
    payload.on('error', (error) => gunzip.destroy(error));
    gunzip.on('error', (error: Error & { statusCode?: number }) => {
      error.statusCode = 400;
      error.message = `the gzip body could not be inflated: ${error.message}`;
    });
    return payload.pipe(gunzip);
  });
}
