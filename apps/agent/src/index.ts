import type { Command } from 'commander';
import { configureEnrollCommand } from './commands/enroll.js';
import { configurePersonalCommand } from './commands/personal.js';
import { configurePrivacyCommand } from './commands/privacy.js';
import { configureReplayCommand } from './commands/replay.js';
import { configureRunCommand } from './commands/run.js';
import { configureStatusCommand } from './commands/status.js';

export type { ReplayIo, ReplayOptions } from './commands/replay.js';
export { configureReplayCommand, runReplay } from './commands/replay.js';
export type { ReplayRow } from './replay-output.js';
export { toReplayRow } from './replay-output.js';

/** Adds the agent subcommands to the `toktra agent` command of the CLI. */
export function registerAgentCommands(agent: Command): void {
  configureEnrollCommand(agent.command('enroll'));
  configureRunCommand(agent.command('run'));
  configureStatusCommand(agent.command('status'));
  configurePrivacyCommand(agent.command('privacy'));
  configurePersonalCommand(agent.command('personal'));
  configureReplayCommand(agent.command('replay'));
}
