import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerAgentCommands } from './index.js';
import { AGENT_VERSION } from './version.js';

/** Read by the packaged `toktra-agent` for unattended (MDM / config management) enrollment. */
export const AGENT_CONFIG_FILE = '/etc/toktra-agent/agent.env';

/**
 * `KEY=VALUE` lines (shell-style comments, optional quotes) into `env`, never overriding a
 * variable that is already set: the environment wins over the file.
 */
export function loadEnvFile(file: string, env: NodeJS.ProcessEnv = process.env): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  for (const line of text.split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match?.[1] || env[match[1]] !== undefined) continue;
    env[match[1]] = (match[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
  }
}

/**
 * The standalone `toktra-agent` binary (the .deb package): the same commands as `toktra agent …`,
 * with enrollment settings also taken from TOKTRA_SERVER_URL / TOKTRA_ENROLL_TOKEN or the config file.
 */
export async function main(argv: string[]): Promise<number> {
  loadEnvFile(process.env.TOKTRA_AGENT_CONFIG ?? AGENT_CONFIG_FILE);
  const program = new Command('toktra-agent')
    .description('Toktra endpoint agent: AI-usage metadata, never content')
    .version(AGENT_VERSION)
    .exitOverride();
  registerAgentCommands(program);
  for (const command of program.commands)
    command.exitOverride().showHelpAfterError().version(AGENT_VERSION, '--version');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    }
    process.stderr.write(`toktra-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
