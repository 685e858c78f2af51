// A stand-in for `toktra agent …` (apps/cli is wired by the lead): lets tests run the real command
// parsing, exit codes and stdout/stderr in a child process.
import { Command } from 'commander';
import { registerAgentCommands } from '../src/index.js';

const program = new Command('toktra');
const agent = program.command('agent');
registerAgentCommands(agent);
await program.parseAsync(process.argv);
