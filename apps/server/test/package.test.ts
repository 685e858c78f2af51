import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cliPackage from '../../cli/package.json' with { type: 'json' };
import { tempDir } from './cli-helpers.js';

// `npm run package`'s server .deb, unpacked into an empty root and started from there with a PATH
// that holds no node: the payload must carry its runtime, dependencies and dashboard.
const ROOT = path.join(import.meta.dirname, '../../..');
const work = tempDir('toktra-server-pkg-test-');
const root = path.join(work, 'root');
const bin = path.join(work, 'bin');
const deb = path.join(work, `toktra-server_${cliPackage.version}_amd64.deb`);
const TOKTRA = path.join(root, 'usr/bin/toktra');

let pg: TestDatabase | undefined;
let server: ChildProcess | undefined;
let url = '';
let output = '';

function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TOKTRA, args, {
      env: { PATH: bin, HOME: work, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** The packaged /etc/toktra/server.env, with test ports and paths over it. */
function serviceEnv(overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: bin, HOME: work };
  for (const line of readFileSync(path.join(root, 'etc/toktra/server.env'), 'utf8').split('\n')) {
    const match = /^([A-Z_0-9]+)=(.*)$/.exec(line);
    if (match?.[1]) env[match[1]] = match[2];
  }
  return { ...env, ...overrides };
}

beforeAll(async () => {
  execFileSync(
    process.execPath,
    ['scripts/package.mjs', 'server', '--out', work, '--uncompressed', '--no-tarball'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  execFileSync('dpkg-deb', ['-x', deb, root]);
  mkdirSync(bin);
  for (const tool of ['dirname', 'readlink'])
    symlinkSync(
      execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(),
      path.join(bin, tool),
    );
  if (process.env.TEST_DATABASE_URL) pg = await createTestDatabase({ migrate: false });
}, 300_000);

afterAll(async () => {
  server?.kill('SIGKILL');
  await pg?.drop();
  rmSync(work, { recursive: true, force: true }); // ~450 MB of package and unpacked payload
});

describe('the toktra-server package', () => {
  it('declares its unit, config file and PostgreSQL as a recommendation', () => {
    const fields = execFileSync('dpkg-deb', ['-f', deb, 'Package', 'Version', 'Recommends'], {
      encoding: 'utf8',
    });
    expect(fields).toContain(`Version: ${cliPackage.version}`);
    expect(fields).toMatch(/Recommends: .*\bpostgresql\b/);
    execFileSync('dpkg-deb', ['-e', deb, path.join(work, 'DEBIAN')]);
    expect(readFileSync(path.join(work, 'DEBIAN/conffiles'), 'utf8')).toContain('/etc/toktra/server.env');
    const unit = readFileSync(path.join(root, 'lib/systemd/system/toktra-server.service'), 'utf8');
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/toktra\/server.env$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/toktra server$/m);
    expect(readFileSync(path.join(work, 'DEBIAN/postinst'), 'utf8')).toMatch(/useradd --system .*toktra/s);
  });

  it('starts from the unpacked payload without a system Node, migrating its database', async () => {
    expect(
      execFileSync('/bin/sh', ['-c', 'command -v node || true'], { env: { PATH: bin }, encoding: 'utf8' }),
    ).toBe('');
    expect(await run(['--version'])).toMatchObject({ code: 0, out: `${cliPackage.version}\n` });
    const dataDir = path.join(work, 'data');
    const env = serviceEnv({
      PORT: '0',
      TOKTRA_INGEST_PORT: '0',
      TOKTRA_DATA_DIR: dataDir,
      DATABASE_URL: pg ? (pg.target as { url: string }).url : '',
    });
    const child = spawn(TOKTRA, ['server'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    url = await new Promise<string>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d;
        const match = /Toktra is running at (\S+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root">/);
    // An admin command from the package, through the running server (embedded) or the database.
    const orgs = await run(['admin', 'org', 'list', '--json'], env);
    expect(orgs.err).toBe('');
    expect(JSON.parse(orgs.out)).toEqual({ orgs: [] });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    server = undefined;
  }, 240_000);
});
