import { Command, CommanderError } from 'commander';
import cliPackage from '../package.json' with { type: 'json' };
import { EXIT_OK, reportError } from './cli-error.js';
import { configureAdminCommand } from './commands/admin.js';
import { configureAgentCommand } from './commands/agent.js';
import { configureServerCommand } from './commands/server.js';

export function buildProgram(): Command {
  const program = new Command('toktra')
    .description('Toktra: see and govern AI usage without reading a prompt')
    .version(cliPackage.version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  configureServerCommand(program);
  configureAdminCommand(program);
  configureAgentCommand(program);
  // `--version` answers on every (sub)command, so `toktra server --version` works in scripts too.
  for (const command of allCommands(program))
    command.exitOverride().showHelpAfterError().version(cliPackage.version, '--version');
  return program;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Runs the CLI and returns the process exit code: 0 ok, 1 failure, 2 bad usage. */
export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError && error.code === 'commander.helpDisplayed') return EXIT_OK;
    if (error instanceof CommanderError && error.code === 'commander.version') return EXIT_OK;
    return reportError(error, json);
  }
}
