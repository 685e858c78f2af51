// `npm run package`: Debian packages (and the same payload as tarballs) in dist/packages/:
//   toktra-agent_<version>_amd64.deb   /usr/bin/toktra-agent: one esbuild file + a Node binary, no
//                                      node_modules, no system Node; systemd unit, system user
//   toktra-server_<version>_amd64.deb  /usr/bin/toktra: the compiled CLI, its external node_modules,
//                                      the built dashboard and a Node binary; /etc/toktra/server.env
// The Node binary comes from the npm registry (scripts/fetch-node.mjs).
//
//   node scripts/package.mjs [agent] [server] [--out DIR] [--no-tarball] [--uncompressed]
// (--uncompressed: the tests' build; gzip of the ~120 MB Node binary is most of a release build)
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, buildStandalone, CLI_OUT, ROOT, readVersion } from './build.mjs';
import { fetchNode } from './fetch-node.mjs';

const NODE_MAJOR = process.env.TOKTRA_PACKAGE_NODE ?? '24';
const MAINTAINER = 'Toktra <maintainers@toktra.dev>';

function install(src, dest, mode = 0o644) {
  mkdirSync(path.dirname(dest), { recursive: true });
  copyFileSync(src, dest);
  chmodSync(dest, mode);
}

function write(dest, text, mode = 0o644) {
  mkdirSync(path.dirname(dest), { recursive: true });
  writeFileSync(dest, text);
  chmodSync(dest, mode);
}

/** A launcher: the one executable on PATH, running the bundled Node on the bundled JavaScript. */
// Found relative to the launcher itself, so an unpacked tarball runs from any prefix (e.g. /opt).
const launcher = (libDir, script) =>
  `#!/bin/sh\nlib="$(dirname "$(readlink -f "$0")")/../lib/${libDir}"\nexec "$lib/node" --enable-source-maps "$lib/${script}" "$@"\n`;

function duKiB(dir) {
  return Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]);
}

/** Writes DEBIAN/control and the maintainer scripts, then the .deb and (optionally) the tarball. */
function finish(
  root,
  { name, version, depends, recommends, description, scripts, conffiles, out, tarball, compress },
) {
  chmodSync(root, 0o755);
  const control = [
    `Package: ${name}`,
    `Version: ${version}`,
    'Architecture: amd64',
    `Maintainer: ${MAINTAINER}`,
    `Installed-Size: ${duKiB(root)}`,
    ...(depends ? [`Depends: ${depends}`] : []),
    ...(recommends ? [`Recommends: ${recommends}`] : []),
    'Section: net',
    'Priority: optional',
    'Homepage: https://github.com/toktra/toktra',
    `Description: ${description}`,
    '',
  ].join('\n');
  mkdirSync(out, { recursive: true });
  const base = path.join(out, `${name}_${version}_amd64`);
  if (tarball)
    execFileSync('tar', [
      compress ? 'czf' : 'cf',
      `${base}.tar${compress ? '.gz' : ''}`,
      '--owner=0',
      '--group=0',
      '-C',
      root,
      '.',
    ]);
  write(path.join(root, 'DEBIAN/control'), control);
  for (const script of scripts)
    install(
      path.join(ROOT, 'packaging', name.replace('toktra-', ''), script),
      path.join(root, 'DEBIAN', script),
      0o755,
    );
  if (conffiles.length) write(path.join(root, 'DEBIAN/conffiles'), `${conffiles.join('\n')}\n`);
  execFileSync(
    'dpkg-deb',
    ['--root-owner-group', compress ? '-Zgzip' : '-Znone', '--build', root, `${base}.deb`],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return { deb: `${base}.deb`, tarball: tarball ? `${base}.tar${compress ? '.gz' : ''}` : undefined };
}

/** Stages and packs toktra-agent. */
export async function packageAgent({
  out = path.join(ROOT, 'dist/packages'),
  tarball = true,
  compress = true,
} = {}) {
  const version = readVersion();
  const root = mkdtempSync(path.join(tmpdir(), 'toktra-agent-pkg-'));
  try {
    const lib = path.join(root, 'usr/lib/toktra-agent');
    mkdirSync(lib, { recursive: true });
    await buildStandalone({
      source:
        "import { main } from './apps/agent/src/main.ts';\nprocess.exitCode = await main(process.argv);\n",
      outfile: path.join(lib, 'toktra-agent.mjs'),
    });
    const node = fetchNode(NODE_MAJOR);
    install(path.join(node, 'bin/node'), path.join(lib, 'node'), 0o755);
    write(path.join(root, 'usr/bin/toktra-agent'), launcher('toktra-agent', 'toktra-agent.mjs'), 0o755);
    install(
      path.join(ROOT, 'packaging/agent/toktra-agent.service'),
      path.join(root, 'lib/systemd/system/toktra-agent.service'),
    );
    install(
      path.join(ROOT, 'packaging/agent/agent.env.example'),
      path.join(root, 'usr/share/doc/toktra-agent/agent.env.example'),
    );
    install(path.join(node, 'LICENSE'), path.join(root, 'usr/share/doc/toktra-agent/node-LICENSE'));
    return finish(root, {
      name: 'toktra-agent',
      version,
      depends: 'tcpdump, passwd, util-linux',
      description:
        'Toktra endpoint agent: AI-usage metadata, never content\n Sees TLS/QUIC server names, byte counts and timing; never decrypts or blocks.\n Self-contained: bundles its own Node.js runtime.',
      scripts: ['postinst', 'prerm', 'postrm'],
      conffiles: [],
      out,
      tarball,
      compress,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Directories (under the root node_modules) of `names` and everything they depend on. */
function dependencyClosure(names) {
  const nodeModules = path.join(ROOT, 'node_modules');
  const found = new Set();
  const queue = names.map((name) => ({ name, from: nodeModules }));
  while (queue.length) {
    const { name, from } = queue.shift();
    let dir;
    for (let d = from; d.startsWith(ROOT); d = path.dirname(d)) {
      const candidate =
        path.basename(d) === 'node_modules' ? path.join(d, name) : path.join(d, 'node_modules', name);
      if (existsSync(path.join(candidate, 'package.json'))) {
        dir = candidate;
        break;
      }
    }
    if (!dir || found.has(dir)) continue;
    found.add(dir);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys({
      ...pkg.dependencies,
      ...pkg.optionalDependencies,
      ...pkg.peerDependencies,
    }))
      queue.push({ name: dep, from: dir });
  }
  // Only top-level entries need copying: nested node_modules travel inside their parent.
  return [...found].filter(
    (dir) =>
      path.dirname(dir) === nodeModules ||
      (path.dirname(path.dirname(dir)) === nodeModules && path.basename(path.dirname(dir)).startsWith('@')),
  );
}

function webDistIsStale() {
  const index = path.join(ROOT, 'apps/web/dist/index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const newest = (p) => {
    const s = statSync(p);
    if (!s.isDirectory()) return s.mtimeMs;
    return Math.max(0, ...readdirSync(p).map((n) => newest(path.join(p, n))));
  };
  return ['src', 'index.html', 'vite.config.ts'].some((p) => newest(path.join(ROOT, 'apps/web', p)) > built);
}

/** Stages and packs toktra-server. */
export async function packageServer({
  out = path.join(ROOT, 'dist/packages'),
  tarball = true,
  compress = true,
} = {}) {
  const version = readVersion();
  const { externals } = await buildCli();
  if (webDistIsStale())
    execFileSync('npm', ['run', 'build', '-w', '@toktra/web'], { cwd: ROOT, stdio: 'inherit' });
  const root = mkdtempSync(path.join(tmpdir(), 'toktra-server-pkg-'));
  try {
    const lib = path.join(root, 'usr/lib/toktra');
    // The same layout as the repository: the server finds the dashboard at apps/web/dist.
    const bin = path.join(lib, 'apps/cli/dist/bin');
    mkdirSync(bin, { recursive: true });
    for (const name of readdirSync(CLI_OUT))
      if (/\.mjs(\.map)?$/.test(name)) copyFileSync(path.join(CLI_OUT, name), path.join(bin, name));
    write(
      path.join(bin, 'run.mjs'),
      "import { main } from './toktra.mjs';\nprocess.exitCode = await main(process.argv);\n",
    );
    cpSync(path.join(ROOT, 'apps/web/dist'), path.join(lib, 'apps/web/dist'), { recursive: true });
    for (const dir of dependencyClosure(externals))
      cpSync(
        realpathSync(dir),
        path.join(lib, 'node_modules', path.relative(path.join(ROOT, 'node_modules'), dir)),
        {
          recursive: true,
          dereference: true,
        },
      );
    write(
      path.join(lib, 'package.json'),
      `${JSON.stringify({ name: 'toktra-server', version, private: true, type: 'module' }, null, 2)}\n`,
    );
    const node = fetchNode(NODE_MAJOR);
    install(path.join(node, 'bin/node'), path.join(lib, 'node'), 0o755);
    write(path.join(root, 'usr/bin/toktra'), launcher('toktra', 'apps/cli/dist/bin/run.mjs'), 0o755);
    install(
      path.join(ROOT, 'packaging/server/toktra-server.service'),
      path.join(root, 'lib/systemd/system/toktra-server.service'),
    );
    install(path.join(ROOT, 'packaging/server/server.env'), path.join(root, 'etc/toktra/server.env'), 0o640);
    install(path.join(node, 'LICENSE'), path.join(root, 'usr/share/doc/toktra-server/node-LICENSE'));
    return finish(root, {
      name: 'toktra-server',
      version,
      depends: 'passwd',
      recommends: 'postgresql',
      description:
        'Toktra server: AI-usage observability and governance\n API, dashboard, agent ingest (mutual TLS) and background jobs; migrates its\n database on start. Self-contained: bundles its own Node.js runtime.',
      scripts: ['postinst', 'prerm', 'postrm'],
      conffiles: ['/etc/toktra/server.env'],
      out,
      tarball,
      compress,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const out = outIndex >= 0 ? path.resolve(args[outIndex + 1]) : undefined;
  const tarball = !args.includes('--no-tarball');
  const compress = !args.includes('--uncompressed');
  const which = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
  const all = which.length === 0;
  for (const [name, pack] of [
    ['agent', packageAgent],
    ['server', packageServer],
  ]) {
    if (!all && !which.includes(name)) continue;
    const started = performance.now();
    const result = await pack({ out, tarball, compress });
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(`${path.relative(process.cwd(), result.deb)} (${secs} s)\n`);
  }
}
