#!/usr/bin/env node
// Registers the TypeScript loader, then hands over to the CLI. There is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
