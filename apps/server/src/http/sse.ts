import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type SendEvent = (event: string, data: unknown) => void;

/**
 * Server-Sent Events for one route: `open` hijacks the reply, sends heartbeat comments so
 * proxies keep the stream open, and ends it when the client leaves or the server closes (ended
 * before the listener closes, or close() would wait on them forever). `subscribe` gets a sender
 * and returns its unsubscribe.
 */
export function createSseRoute(app: FastifyInstance, heartbeatMs: number) {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
  });
  return (request: FastifyRequest, reply: FastifyReply, subscribe: (send: SendEvent) => () => void): void => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    const unsubscribe = subscribe((event, data) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    );
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
    const close = () => {
      if (!open.delete(close)) return;
      clearInterval(heartbeat);
      unsubscribe();
      if (!res.writableEnded) res.end();
    };
    open.add(close);
    request.raw.on('close', close);
    res.on('close', close);
    res.on('error', close);
  };
}
