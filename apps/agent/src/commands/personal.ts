import type { Command } from 'commander';
import { readJsonFile, resolveStateDir, statePaths, writeStateFile } from '../state-dir.js';

/** `toktra agent personal on|off|status`: Token Perks personal mode, the employee's switch. */
export function configurePersonalCommand(cmd: Command): void {
  cmd.description('personal mode (Token Perks): usage made while on never enters corporate analytics');
  for (const [name, enabled] of [
    ['on', true],
    ['off', false],
  ] as const) {
    cmd
      .command(name)
      .description(enabled ? 'turn personal mode on' : 'turn personal mode off')
      .option('--state-dir <dir>', 'agent state directory')
      .action((opts: { stateDir?: string }) => {
        writeStateFile(
          statePaths(resolveStateDir(opts.stateDir)).personal,
          `${JSON.stringify({ enabled })}\n`,
        );
        process.stdout.write(`Personal mode ${enabled ? 'on' : 'off'}.\n`);
      });
  }
  cmd
    .command('status')
    .option('--state-dir <dir>', 'agent state directory')
    .action((opts: { stateDir?: string }) => {
      const on =
        readJsonFile<{ enabled: boolean }>(statePaths(resolveStateDir(opts.stateDir)).personal)?.enabled ===
        true;
      process.stdout.write(`Personal mode ${on ? 'on' : 'off'}.\n`);
    });
}
