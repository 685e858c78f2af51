#!/usr/bin/env node
// Runs the compiled CLI (apps/cli/dist/bin, esbuild). In a repository checkout it is (re)built
// first when missing or older than the sources (about a second), so `git pull` needs no build
// step. TOKTRA_TSX=1 runs the TypeScript sources through tsx instead (no build; slow start).
import { existsSync } from 'node:fs';

const root = new URL('../../../', import.meta.url);
const entry = new URL('../dist/bin/toktra.mjs', import.meta.url);
let run;
if (process.env.TOKTRA_TSX === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  run = await import('../src/main.ts');
} else {
  if (existsSync(new URL('scripts/build.mjs', root))) {
    const build = await import(new URL('scripts/build.mjs', root).href);
    await build.ensureCliBuild();
  }
  run = await import(entry.href);
}
process.exitCode = await run.main(process.argv);
