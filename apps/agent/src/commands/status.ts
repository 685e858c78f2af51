import type { Command } from 'commander';
import { readEnrollment } from '../identity/enrollment.js';
import { PrivacyPolicy } from '../privacy/policy.js';
import type { AgentStatusFile } from '../run/agent-runtime.js';
import { readJsonFile, resolveStateDir, statePaths } from '../state-dir.js';

async function isReachable(server: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('/healthz', server), { signal: AbortSignal.timeout(3000) });
    return response.ok;
  } catch {
    return false;
  }
}

function isRunning(status: AgentStatusFile | undefined): boolean {
  if (!status) return false;
  try {
    process.kill(status.pid, 0);
  } catch {
    return false;
  }
  return Date.now() - Date.parse(status.updated_at) < 30_000;
}

/** Everything an employee or IT needs to see whether the agent is healthy, as one object. */
export async function collectStatus(stateDir?: string) {
  const paths = statePaths(resolveStateDir(stateDir));
  const enrollment = readEnrollment(paths);
  const status = readJsonFile<AgentStatusFile>(paths.status);
  return {
    enrolled: Boolean(enrollment),
    device_id: enrollment?.device_id ?? null,
    server: enrollment?.server ?? null,
    server_reachable: enrollment ? await isReachable(enrollment.server) : null,
    running: isRunning(status),
    pid: status?.pid ?? null,
    queue_depth: status?.queue.pending ?? null,
    queue_dropped: status?.queue.dropped ?? null,
    last_shipment_at: status?.shipper.lastShipmentAt ?? null,
    shipping: status?.shipper.kind ?? null,
    shipping_problem:
      status?.shipper.kind === 'refused'
        ? status.shipper.reason
        : status?.shipper.kind === 'retrying'
          ? status.shipper.lastError
          : null,
    privacy_state: new PrivacyPolicy(paths).state(),
    personal_mode: readJsonFile<{ enabled: boolean }>(paths.personal)?.enabled === true,
    capture: status?.capture ?? null,
  };
}

/** One line on the capture's health: mode, packets seen, kernel drops (tcpdump's counter). */
function describeCapture(capture: Record<string, unknown> | null, running: boolean): string {
  if (!capture || !running) return 'not running';
  const n = (v: unknown) => Number(v ?? 0).toLocaleString('en-US');
  if (capture.mode === 'proxy')
    return `proxy mode (${capture.capturing ? 'observing' : 'paused'}), ${n(capture.tunnels)} tunnels, ${n(capture.failed)} failed`;
  const state = capture.capturing ? 'capturing' : 'paused';
  const restarts = Number(capture.restarts ?? 0) ? `, tcpdump restarted ${n(capture.restarts)}×` : '';
  return `${state}, ${n(capture.packets)} packets seen, ${n(capture.drops)} dropped by the kernel${restarts}`;
}

export function configureStatusCommand(cmd: Command): void {
  cmd
    .description(
      'show whether this device is enrolled, capturing and shipping (exit 1 if not enrolled or not running)',
    )
    .option('--state-dir <dir>', 'agent state directory')
    .option('--json', 'print one JSON object')
    .action(async (opts: { stateDir?: string; json?: boolean }) => {
      const s = await collectStatus(opts.stateDir);
      // Scripts and MDM health checks rely on the exit code: 1 unless enrolled and running.
      if (!s.enrolled || !s.running) process.exitCode = 1;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(s)}\n`);
        return;
      }
      const lines = [
        `Enrolled:        ${s.enrolled ? `yes (device ${s.device_id})` : 'no — run: toktra agent enroll --server URL --token T'}`,
        `Server:          ${s.server ?? '-'}${s.server ? (s.server_reachable ? ' (reachable)' : ' (NOT reachable)') : ''}`,
        `Agent running:   ${s.running ? 'yes' : 'no'}`,
        `Queue:           ${s.queue_depth ?? 0} waiting${s.queue_dropped ? `, ${s.queue_dropped} dropped (disk budget)` : ''}`,
        `Last shipment:   ${s.last_shipment_at ?? 'never'}`,
        ...(s.shipping_problem ? [`Shipping:        ${s.shipping} — ${s.shipping_problem}`] : []),
        `Privacy Hours:   ${s.privacy_state}`,
        `Personal mode:   ${s.personal_mode ? 'on' : 'off'}`,
        `Capture:         ${describeCapture(s.capture, s.running)}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
