// Compiles the workspaces to JavaScript with esbuild, from entry points (new source files are
// picked up through their imports; there is no file list to keep).
//
//   node scripts/build.mjs            the `toktra` CLI: apps/cli/dist/bin/ (third-party packages
//                                     stay in node_modules; the server is a lazily loaded chunk)
//   buildStandalone(...)              one self-contained file (used by scripts/package.mjs)
//
// The CLI bundle must sit three directories below apps/ (apps/cli/dist/bin/): the server finds
// the dashboard at `<bundle dir>/../../../web`, as it does from apps/server/src/http/.
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_OUT = path.join(ROOT, 'apps/cli/dist/bin');
export const CLI_ENTRY = path.join(CLI_OUT, 'toktra.mjs');
const MANIFEST = path.join(CLI_OUT, 'inputs.json');

export function readVersion() {
  return JSON.parse(readFileSync(path.join(ROOT, 'apps/cli/package.json'), 'utf8')).version;
}

const common = () => ({
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  write: false,
  define: { 'process.env.TOKTRA_BUILD_VERSION': JSON.stringify(readVersion()) },
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __toktraCreateRequire } from 'node:module'; const require = __toktraCreateRequire(import.meta.url);",
  },
});

/** Workspace packages (@toktra/*) and relative imports are bundled; everything else stays external. */
const externalThirdParty = {
  name: 'external-third-party',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@toktra/') || args.path === 'toktra') return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** Writes esbuild's output files; the entry last and by rename, so a running process never reads half a build. */
function writeOutputs(result, entryFile) {
  let entry;
  for (const file of result.outputFiles) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    const tmp = `${file.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, file.contents);
    if (file.path === entryFile) entry = tmp;
    else renameSync(tmp, file.path);
  }
  if (entry) renameSync(entry, entryFile);
}

/** Builds the `toktra` CLI into apps/cli/dist/bin (a few seconds; chunks are content-hashed). */
export async function buildCli() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    ...common(),
    entryPoints: { toktra: path.join(ROOT, 'apps/cli/src/main.ts') },
    outdir: CLI_OUT,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunk-[hash]',
    plugins: [externalThirdParty],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes('node_modules'))
    .map((p) => path.relative(ROOT, path.resolve(process.cwd(), p)));
  const outputs = new Set(result.outputFiles.map((f) => path.basename(f.path)));
  const manifestTmp = `${MANIFEST}.${process.pid}.tmp`;
  mkdirSync(CLI_OUT, { recursive: true });
  writeFileSync(manifestTmp, JSON.stringify({ version: readVersion(), inputs }));
  writeOutputs(result, CLI_ENTRY);
  renameSync(manifestTmp, MANIFEST);
  pruneOldChunks(outputs);
  return { inputs: inputs.length, externals: externalPackages(result.metafile) };
}

/** The npm packages a build left external (what a package must ship in node_modules). */
function externalPackages(metafile) {
  const names = new Set();
  for (const output of Object.values(metafile.outputs))
    for (const i of output.imports)
      if (i.external && !i.path.startsWith('node:') && !i.path.startsWith('.'))
        names.add(
          i.path
            .split('/')
            .slice(0, i.path.startsWith('@') ? 2 : 1)
            .join('/'),
        );
  return [...names].sort();
}

/** Chunks of earlier builds; kept for a while because a process started before a rebuild may still load them. */
function pruneOldChunks(current) {
  const cutoff = Date.now() - 10 * 60_000;
  for (const name of readdirSync(CLI_OUT)) {
    if (!name.startsWith('chunk-') || current.has(name) || current.has(name.replace(/\.map$/, ''))) continue;
    const file = path.join(CLI_OUT, name);
    if (statSync(file).mtimeMs < cutoff) rmSync(file, { force: true });
  }
}

/** Whether the CLI bundle is missing or older than a source file it was built from (or package.json). */
export function isCliBuildStale() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return true;
  }
  if (manifest.version !== readVersion()) return true;
  const built = statSync(CLI_ENTRY, { throwIfNoEntry: false })?.mtimeMs;
  if (!built) return true;
  for (const input of manifest.inputs) {
    const mtime = statSync(path.join(ROOT, input), { throwIfNoEntry: false })?.mtimeMs;
    if (mtime === undefined || mtime > built) return true;
  }
  return false;
}

/**
 * Builds the CLI if it is stale. Processes started together (a test file spawning several CLIs)
 * build once: the others wait for the first one's lock file to go.
 */
export async function ensureCliBuild() {
  if (!isCliBuildStale()) return;
  mkdirSync(CLI_OUT, { recursive: true });
  const lock = path.join(CLI_OUT, '.build.lock');
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age > 120_000) rmSync(lock, { force: true }); // left by a build that was killed
      await new Promise((r) => setTimeout(r, 100));
      if (!existsSync(lock) && !isCliBuildStale()) return;
    }
  }
  try {
    if (isCliBuildStale()) await buildCli();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * One self-contained ESM file from the `source` module text (resolved from the repository root), every dependency bundled except `external`
 * (used for the agent package, which must run with no node_modules beside it).
 */
export async function buildStandalone({ source, outfile, external = [] }) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    ...common(),
    sourcemap: false,
    minifySyntax: true,
    minifyWhitespace: true,
    stdin: { contents: source, resolveDir: ROOT, sourcefile: 'entry.ts', loader: 'ts' },
    outfile,
    external,
  });
  writeOutputs(result, outfile);
  return result.metafile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  try {
    const { inputs } = await buildCli();
    const ms = Math.round(performance.now() - started);
    process.stderr.write(
      `toktra: built ${path.relative(ROOT, CLI_ENTRY)} from ${inputs} source files in ${ms} ms\n`,
    );
  } catch (error) {
    // At `npm install` (prepare) a broken source file must not fail the install: `toktra` builds
    // again on its next start and shows the error there.
    if (!process.argv.includes('--prepare')) throw error;
    process.stderr.write(`toktra: build failed (it is retried when toktra starts): ${error.message}\n`);
  }
}
