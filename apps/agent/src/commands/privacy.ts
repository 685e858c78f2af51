import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { readUserNames } from '../attribution/passwd.js';
import { applyOp, emptySettings, type PrivacyOp } from '../privacy/ops.js';
import { PrivacyPolicy, privacyPaths } from '../privacy/policy.js';
import { needsRequest, type PrivacyReply, submitRequest } from '../privacy/requests.js';
import { type PrivacySettings, parseClock, privacyState } from '../privacy/schedule.js';
import { readJsonFile, resolveStateDir, statePaths, writeStateFile } from '../state-dir.js';

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function parseWindow(value: string): { start: string; end: string } {
  const [start, end] = value.split('-');
  try {
    if (!start || !end) throw new Error('missing end');
    parseClock(start);
    parseClock(end);
  } catch {
    throw new InvalidArgumentError('a window like 12:00-13:00 (24-hour, local time)');
  }
  return { start, end };
}

function parseDays(value: string): number[] {
  const days = value.split(',').map((d) => DAY_NAMES.indexOf(d.trim().toLowerCase().slice(0, 3)) + 1);
  if (days.some((d) => d === 0))
    throw new InvalidArgumentError('comma-separated day names, e.g. mon,tue,fri');
  return days;
}

/**
 * The agent's state dir as seen by this account: an employee without an agent of their own uses
 * the system agent's (/var/lib/toktra-agent) rather than an empty ~/.toktra-agent.
 */
function stateDirFor(option?: string): string {
  if (option || process.env.TOKTRA_AGENT_STATE_DIR || process.getuid?.() === 0)
    return resolveStateDir(option);
  const own = path.join(homedir(), '.toktra-agent');
  return existsSync(path.join(own, 'enrollment.json')) || !existsSync('/var/lib/toktra-agent')
    ? own
    : '/var/lib/toktra-agent';
}

type Target =
  | { kind: 'device'; file: string }
  | { kind: 'account'; file: string; uid: number; user: string }
  | { kind: 'request' };

/**
 * Whose settings a command changes. Root (or the account the agent runs as) edits the device-wide
 * settings; `sudo` by an employee edits that employee's own; anyone else asks the running agent
 * through the request directory, authenticated by file ownership (see privacy/requests.ts).
 */
function targetOf(stateDir: string): Target {
  const paths = statePaths(stateDir);
  const sudoUid = Number(process.env.SUDO_UID);
  if (process.getuid?.() === 0 && Number.isInteger(sudoUid) && sudoUid > 0) {
    const user = readUserNames().get(sudoUid) ?? String(sudoUid);
    return { kind: 'account', file: privacyPaths(paths).user(sudoUid), uid: sudoUid, user };
  }
  if (needsRequest(paths)) return { kind: 'request' };
  return { kind: 'device', file: paths.privacy };
}

function describe(settings: PrivacySettings | undefined | null): string[] {
  if (!settings) return ['  (none)'];
  const windows = settings.windows.map(
    (w) =>
      `  ${w.start}-${w.end}${w.days?.length ? ` on ${w.days.map((d) => DAY_NAMES[d - 1]).join(',')}` : ' daily'} (${settings.timeZone})`,
  );
  return [...(windows.length ? windows : ['  (no windows)']), `  paused: ${settings.pausedUntil ?? 'no'}`];
}

const DONE: Record<PrivacyOp['op'], string> = {
  add: 'Privacy window added.',
  clear: 'Privacy Hours cleared.',
  pause: 'Paused.',
  resume: 'Monitoring resumed (scheduled windows still apply).',
  show: '',
};

async function run(op: PrivacyOp, stateDirOption?: string): Promise<void> {
  const stateDir = stateDirFor(stateDirOption);
  const paths = statePaths(stateDir);
  const target = targetOf(stateDir);
  const out = (lines: string[]) => process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);
  if (target.kind === 'request') {
    let reply: PrivacyReply;
    try {
      reply = await submitRequest(paths, op);
    } catch (error) {
      process.stderr.write(`toktra agent privacy: ${(error as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    if (!reply.ok) {
      process.stderr.write(`toktra agent privacy: ${reply.message}\n`);
      process.exitCode = 1;
      return;
    }
    out([
      DONE[op.op],
      op.op === 'show' || op.op === 'pause' ? 'Your settings on this device:' : '',
      ...(op.op === 'show' || op.op === 'pause' ? describe(reply.settings) : []),
      op.op === 'show' ? 'From the employee portal:' : '',
      ...(op.op === 'show' ? describe(reply.portal) : []),
      op.op === 'show' ? `Now: ${reply.private ? 'private (nothing captured for you)' : 'monitored'}` : '',
    ]);
    return;
  }
  const current = readJsonFile<PrivacySettings>(target.file) ?? emptySettings();
  const next = applyOp(current, op);
  if (op.op !== 'show') writeStateFile(target.file, `${JSON.stringify(next, null, 2)}\n`);
  const scope = target.kind === 'device' ? 'for every account on this device' : `for ${target.user}`;
  if (op.op !== 'show') {
    out([
      `${DONE[op.op]} (${scope})`,
      op.op === 'pause'
        ? next.pausedUntil === 'indefinite'
          ? 'Paused until you run: toktra agent privacy resume'
          : `Paused until ${next.pausedUntil}.`
        : '',
    ]);
    return;
  }
  const policy = new PrivacyPolicy(paths);
  const portal =
    target.kind === 'account' ? policy.viewFor({ uid: target.uid, user: target.user }).portal : undefined;
  out([
    `Time zone: ${next.timeZone}`,
    `Settings ${scope}:`,
    ...describe(next),
    ...(target.kind === 'account' ? ['From the employee portal:', ...describe(portal)] : []),
    `Now: ${target.kind === 'device' ? privacyState(next) : policy.viewFor({ uid: target.uid, user: target.user }).private ? 'active' : privacyState(next)}`,
  ]);
}

/**
 * `toktra agent privacy …`: the employee's own controls. They live on the device; the agent
 * reports only whether Privacy Hours are configured or active, never the schedule. No sudo is
 * needed: under a root agent an employee's command goes through the request directory.
 */
export function configurePrivacyCommand(cmd: Command): void {
  cmd.description('Privacy Hours: times when nothing is captured or sent (your choice, not your admin’s)');
  const common = (c: Command) => c.option('--state-dir <dir>', 'agent state directory');

  common(cmd.command('add <window>').description('add a daily window, e.g. 12:00-13:00'))
    .option('--days <days>', 'only on these days, e.g. mon,tue,wed,thu,fri', parseDays)
    .action((window: string, opts: { stateDir?: string; days?: number[] }) =>
      run(
        { op: 'add', window: { ...parseWindow(window), ...(opts.days ? { days: opts.days } : {}) } },
        opts.stateDir,
      ),
    );

  common(cmd.command('clear').description('remove all windows and any pause')).action(
    (opts: { stateDir?: string }) => run({ op: 'clear' }, opts.stateDir),
  );

  common(cmd.command('pause').description('pause monitoring now'))
    .option('--for <minutes>', 'resume automatically after this many minutes', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a positive number of minutes');
      return n;
    })
    .action((opts: { stateDir?: string; for?: number }) =>
      run(opts.for ? { op: 'pause', minutes: opts.for } : { op: 'pause' }, opts.stateDir),
    );

  common(cmd.command('resume').description('end a pause')).action((opts: { stateDir?: string }) =>
    run({ op: 'resume' }, opts.stateDir),
  );

  common(cmd.command('show').description('show your windows and whether one is in force')).action(
    (opts: { stateDir?: string }) => run({ op: 'show' }, opts.stateDir),
  );
}
