import { registerAgentCommands } from '@toktra/agent';
import type { Command } from 'commander';

/** `toktra agent …` lives in @toktra/agent; the CLI only mounts it. */
export function configureAgentCommand(program: Command): void {
  const agent = program
    .command('agent')
    .description('the endpoint agent: enroll, run, replay captures, status');
  registerAgentCommands(agent);
}
