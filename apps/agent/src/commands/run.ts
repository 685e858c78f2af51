import path from 'node:path';
import { newEventId } from '@toktra/core';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { startConnectProxy } from '../proxy/connect-proxy.js';
import { AgentRuntime } from '../run/agent-runtime.js';
import { LiveCapture } from '../run/live-capture.js';
import { resolveStateDir, statePaths } from '../state-dir.js';

interface RunOptions {
  stateDir?: string;
  interface: string;
  ports: number[];
  proxy?: { host: string; port: number };
}

const parsePorts = (v: string) => {
  const ports = v.split(',').map(Number);
  if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535))
    throw new InvalidArgumentError('a comma-separated list of ports');
  return ports;
};

const parseHostPort = (v: string) => {
  const match = /^(.+):(\d+)$/.exec(v);
  if (!match) throw new InvalidArgumentError('HOST:PORT, e.g. 127.0.0.1:3128');
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
};

const log = (message: string) =>
  process.stderr.write(`${new Date().toISOString()} toktra-agent: ${message}\n`);

/** Runs until SIGINT/SIGTERM; then flushes in-flight connections and the queue. */
export async function runAgent(opts: RunOptions): Promise<void> {
  const paths = statePaths(resolveStateDir(opts.stateDir));
  // A partial batch waits at most 3 s: with the 2 s exchange idle gap, a request's usage reaches
  // the server within ~6 s of its answer (issue 18's target is 10 s).
  const runtime = new AgentRuntime({ paths, log, maxDelayMs: 3000 });
  // Replace a previous run's status at once: until capture starts, nobody may read "capturing".
  runtime.writeStatus();
  let stopSource: () => Promise<void>;
  if (opts.proxy) {
    const proxy = await startConnectProxy({
      ...opts.proxy,
      onConnection: (c) => runtime.record(c, c.owner, 'proxy'),
      isPaused: () => runtime.isPaused(),
    });
    runtime.captureStats = () => ({ mode: 'proxy', capturing: !runtime.isPaused(), ...proxy.stats() });
    stopSource = proxy.close;
    log(`observing through the HTTP CONNECT proxy on ${opts.proxy.host}:${proxy.port}`);
  } else {
    // Engine connection number → the connection's id on the wire (UUIDv7, made on the device).
    const connectionIds = new Map<number, string>();
    const capture = new LiveCapture({
      interface: opts.interface,
      ports: opts.ports,
      pidFile: path.join(paths.dir, 'tcpdump.pid'),
      isPaused: () => runtime.isPaused(),
      exchangeIdleMs: Number(process.env.TOKTRA_AGENT_EXCHANGE_IDLE_MS) || undefined,
      passwdFile: process.env.TOKTRA_AGENT_PASSWD_FILE || undefined,
      onExchange: (exchange, owner, ownerKnown) => {
        const id = connectionIds.get(exchange.id) ?? newEventId();
        connectionIds.set(exchange.id, id);
        runtime.record(exchange, owner, 'agent', {
          connection: { id, seq: exchange.seq },
          ownerUnknown: !ownerKnown && owner === undefined,
        });
      },
      onConnectionEnd: (id) => connectionIds.delete(id),
      onError: (error) => log(error.message),
    });
    await capture.start();
    runtime.captureStats = () => ({
      mode: 'capture',
      capturing: capture.capturing,
      ...capture.stats(),
      engine: undefined,
    });
    stopSource = () => capture.stop();
    log(
      `capturing on ${opts.interface} (ports ${opts.ports.join(', ')})${runtime.isPaused() ? ' — paused for Privacy Hours' : ''}`,
    );
  }
  runtime.start();
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  log('stopping: flushing in-flight connections and the queue');
  await stopSource();
  await runtime.stop();
}

export function configureRunCommand(cmd: Command): void {
  cmd
    .description('capture AI-connection metadata and ship it to the server (runs until stopped)')
    .option('--state-dir <dir>', 'agent state directory')
    .option('--interface <name>', 'network interface to capture on', 'any')
    .option('--ports <list>', 'TCP/UDP ports to watch', parsePorts, [443])
    .option(
      '--proxy <host:port>',
      'no packet capture: observe through an HTTP CONNECT proxy listening here',
      parseHostPort,
    )
    .action((opts: RunOptions) => runAgent(opts));
}
