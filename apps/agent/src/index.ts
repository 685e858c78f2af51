import type { Command } from 'commander';
import { configureReplayCommand } from './commands/replay.js';

export type { ReplayIo, ReplayOptions } from './commands/replay.js';
export { configureReplayCommand, runReplay } from './commands/replay.js';
export type { ReplayRow } from './replay-output.js';
export { toReplayRow } from './replay-output.js';

/** Usage errors exit with 2 (commander's default is 1), help and version with 0. */
function exitWithUsageCode(cmd: Command): void {
  cmd.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });
}

/** Adds the agent subcommands to the `toktra agent` command of the CLI. */
export function registerAgentCommands(agentCommand: Command): void {
  const replay = agentCommand.command('replay');
  configureReplayCommand(replay);
  exitWithUsageCode(replay);
}
