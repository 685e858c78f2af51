import { type Command, InvalidArgumentError } from 'commander';
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

function load(stateDir?: string): { file: string; settings: PrivacySettings } {
  const file = statePaths(resolveStateDir(stateDir)).privacy;
  const settings = readJsonFile<PrivacySettings>(file) ?? {
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    windows: [],
  };
  return { file, settings };
}

const save = (file: string, settings: PrivacySettings) =>
  writeStateFile(file, `${JSON.stringify(settings, null, 2)}\n`);

/**
 * `toktra agent privacy …`: the employee's own controls. They live on the device; the agent
 * reports only whether Privacy Hours are configured or active, never the schedule.
 */
export function configurePrivacyCommand(cmd: Command): void {
  cmd.description('Privacy Hours: times when nothing is captured or sent (your choice, not your admin’s)');
  const common = (c: Command) => c.option('--state-dir <dir>', 'agent state directory');

  common(cmd.command('add <window>').description('add a daily window, e.g. 12:00-13:00'))
    .option('--days <days>', 'only on these days, e.g. mon,tue,wed,thu,fri', parseDays)
    .action((window: string, opts: { stateDir?: string; days?: number[] }) => {
      const { file, settings } = load(opts.stateDir);
      settings.windows.push({ ...parseWindow(window), ...(opts.days ? { days: opts.days } : {}) });
      save(file, settings);
      process.stdout.write(`Privacy window added (${settings.timeZone}).\n`);
    });

  common(cmd.command('clear').description('remove all windows and any pause')).action(
    (opts: { stateDir?: string }) => {
      const { file, settings } = load(opts.stateDir);
      save(file, { timeZone: settings.timeZone, windows: [] });
      process.stdout.write('Privacy Hours cleared.\n');
    },
  );

  common(cmd.command('pause').description('pause monitoring now'))
    .option('--for <minutes>', 'resume automatically after this many minutes', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a positive number of minutes');
      return n;
    })
    .action((opts: { stateDir?: string; for?: number }) => {
      const { file, settings } = load(opts.stateDir);
      settings.pausedUntil = opts.for ? new Date(Date.now() + opts.for * 60_000).toISOString() : 'indefinite';
      save(file, settings);
      process.stdout.write(
        opts.for
          ? `Paused until ${settings.pausedUntil}.\n`
          : 'Paused until you run: toktra agent privacy resume\n',
      );
    });

  common(cmd.command('resume').description('end a pause')).action((opts: { stateDir?: string }) => {
    const { file, settings } = load(opts.stateDir);
    delete settings.pausedUntil;
    save(file, settings);
    process.stdout.write('Monitoring resumed (scheduled windows still apply).\n');
  });

  common(cmd.command('show').description('show your windows and whether one is in force')).action(
    (opts: { stateDir?: string }) => {
      const { settings } = load(opts.stateDir);
      const windows = settings.windows.map(
        (w) =>
          `  ${w.start}-${w.end}${w.days?.length ? ` on ${w.days.map((d) => DAY_NAMES[d - 1]).join(',')}` : ' daily'}`,
      );
      const lines = [
        `Time zone: ${settings.timeZone}`,
        ...(windows.length ? windows : ['  (no windows)']),
        `Paused: ${settings.pausedUntil ?? 'no'}`,
        `Now: ${privacyState(settings)}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    },
  );
}
