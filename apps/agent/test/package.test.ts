import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildClientHello, pcapOf, tcpConversation, tlsRecords } from '@toktra/capture/testing';
import { createTestDatabase, type TestDatabase } from '@toktra/db/testing';
import { adminCommands, type RunningServer, startServer } from '@toktra/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import agentPackage from '../package.json' with { type: 'json' };
import { freePort, tempDir } from './e2e-helpers.js';

// `npm run package`'s agent .deb, unpacked into an empty root and run from there with a PATH that
// holds no node: what a laptop without Node.js or this repository gets.
const ROOT = path.join(import.meta.dirname, '../../..');
const work = tempDir('toktra-agent-pkg-test-');
const root = path.join(work, 'root');
const bin = path.join(work, 'bin');
const AGENT = path.join(root, 'usr/bin/toktra-agent');

let pg: TestDatabase | undefined;
let server: RunningServer;
let orgId = '';

/** Runs the packaged binary without blocking this process (the test server lives in it). */
function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(AGENT, args, {
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

async function enrollToken() {
  const { token } = (await adminCommands['enroll-token.create'].run(server.ctx, {
    orgId,
    uses: 1,
    ttl: '1h',
  })) as {
    token: string;
  };
  return token;
}

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/package.mjs', 'agent', '--out', work, '--uncompressed'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  execFileSync('dpkg-deb', ['-x', path.join(work, `toktra-agent_${agentPackage.version}_amd64.deb`), root]);
  // The launcher's only needs: a shell (by absolute path), dirname and readlink. No node here.
  mkdirSync(bin);
  for (const tool of ['dirname', 'readlink'])
    symlinkSync(
      execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(),
      path.join(bin, tool),
    );
  if (process.env.TEST_DATABASE_URL) pg = await createTestDatabase({ migrate: false });
  server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    ingestPort: await freePort(),
    dataDir: path.join(work, 'server'),
    ...(pg ? { databaseUrl: (pg.target as { url: string }).url } : {}),
    worker: false,
    logLevel: 'warn',
  });
  ({ org_id: orgId } = (await adminCommands['org.create'].run(server.ctx, {
    name: 'Package',
    adminEmail: 'it@package.test',
  })) as { org_id: string });
}, 300_000);

afterAll(async () => {
  await server?.close();
  await pg?.drop();
  rmSync(work, { recursive: true, force: true }); // ~250 MB of package and unpacked payload
});

describe('the toktra-agent package', () => {
  it('holds one executable, the hardened unit and the maintainer scripts, and depends on tcpdump', () => {
    const deb = path.join(work, `toktra-agent_${agentPackage.version}_amd64.deb`);
    const files = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' });
    expect(files.match(/^-rwx.*\.\/usr\/bin\/.*$/gm)).toEqual([
      expect.stringMatching(/\.\/usr\/bin\/toktra-agent$/),
    ]);
    expect(files).toMatch(/\.\/lib\/systemd\/system\/toktra-agent\.service/);
    expect(files).not.toMatch(/node_modules/);
    const unit = readFileSync(path.join(root, 'lib/systemd/system/toktra-agent.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/toktra-agent run --state-dir \/var\/lib\/toktra-agent/m);
    expect(unit).toMatch(/^User=toktra-agent$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    const control = execFileSync('dpkg-deb', ['-f', deb, 'Depends', 'Version'], { encoding: 'utf8' });
    expect(control).toMatch(/Depends: .*\btcpdump\b/);
    expect(control).toContain(`Version: ${agentPackage.version}`);
    execFileSync('dpkg-deb', ['-e', deb, path.join(work, 'DEBIAN')]);
    const postinst = readFileSync(path.join(work, 'DEBIAN/postinst'), 'utf8');
    expect(postinst).toMatch(/useradd --system .*toktra-agent/s);
    expect(postinst).toMatch(/install -d -m 0700 -o toktra-agent -g toktra-agent \/var\/lib\/toktra-agent/);
    // The tarball carries the same payload.
    const tarFiles = execFileSync(
      'tar',
      ['tf', path.join(work, `toktra-agent_${agentPackage.version}_amd64.tar`)],
      {
        encoding: 'utf8',
      },
    );
    const names = (text: string) =>
      text
        .split('\n')
        .map((l) => l.split(/\s+/).pop() ?? '')
        .filter((n) => n && !n.endsWith('/'))
        .sort();
    expect(names(tarFiles)).toEqual(names(files));
  });

  it('runs without a system Node: --version and a status that fails while not enrolled', async () => {
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: bin } }).status).not.toBe(0);
    const version = await run(['--version']);
    expect(version).toMatchObject({ code: 0, out: `${agentPackage.version}\n` });
    const status = await run(['status', '--state-dir', path.join(work, 'not-enrolled')]);
    expect(status.out).toMatch(/Enrolled:\s+no/);
    expect(status.code).toBe(1);
  });

  it('replays a capture file', async () => {
    const hello = tlsRecords(buildClientHello({ sni: 'api.openai.com', alpn: ['h2'] }));
    const file = path.join(work, 'one.pcap');
    writeFileSync(
      file,
      pcapOf(
        tcpConversation(
          { src: '10.0.0.7', dst: '104.18.33.45', sport: 50001, dport: 443 },
          { clientData: hello, serverBytes: 60_000 },
        ),
      ),
    );
    const r = await run(['replay', file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rows = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([
      expect.objectContaining({ sni: 'api.openai.com', provider: 'openai', dst_port: 443 }),
    ]);
  });

  it('enrolls unattended from the environment', async () => {
    const stateDir = path.join(work, 'state-env');
    const r = await run(['enroll', '--state-dir', stateDir], {
      TOKTRA_SERVER_URL: server.url,
      TOKTRA_ENROLL_TOKEN: await enrollToken(),
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const enrollment = JSON.parse(readFileSync(path.join(stateDir, 'enrollment.json'), 'utf8'));
    expect(enrollment.org_id).toBe(orgId);
    // Enrolled but not running: still a failing status for health checks.
    const status = await run(['status', '--state-dir', stateDir, '--json']);
    expect(JSON.parse(status.out)).toMatchObject({ enrolled: true, running: false });
    expect(status.code).toBe(1);
  });

  it('enrolls unattended from a config file, and the environment wins over it', async () => {
    const stateDir = path.join(work, 'state-file');
    const config = path.join(work, 'agent.env');
    writeFileSync(
      config,
      `# dropped by MDM\nTOKTRA_SERVER_URL="${server.url}"\nTOKTRA_ENROLL_TOKEN=${await enrollToken()}\n`,
    );
    const r = await run(['enroll', '--state-dir', stateDir], { TOKTRA_AGENT_CONFIG: config });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Enrolled as device/);
    const refused = await run(['enroll', '--state-dir', path.join(work, 'state-bad'), '--force'], {
      TOKTRA_AGENT_CONFIG: config,
      TOKTRA_ENROLL_TOKEN: 'not-a-token',
    });
    expect(refused.code).toBe(1);
    expect(refused.err).not.toBe('');
  });
});
