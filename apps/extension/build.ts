/**
 * Builds the unpacked extension into dist/ (load it at chrome://extensions, or with
 * `--load-extension=apps/extension/dist`). The manifest's host permissions are generated from
 * the provider catalogue in @toktra/core, so the extension can see no host the catalogue lacks.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { build } from 'esbuild';
import { matchPatterns } from './src/hosts.js';

const root = path.dirname(fileURLToPath(import.meta.url));
export const DIST = path.join(root, 'dist');

export async function buildExtension(outDir = DIST): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: ['service-worker', 'options', 'blocked'].map((n) => path.join(root, 'src', `${n}.ts`)),
    outdir: outDir,
    bundle: true,
    format: 'esm',
    target: 'chrome120',
    minify: false,
    sourcemap: false,
    logLevel: 'warning',
  });
  for (const file of readdirSync(path.join(root, 'static'))) {
    copyFileSync(path.join(root, 'static', file), path.join(outDir, file));
  }
  writeFileSync(path.join(outDir, 'icon.png'), icon(48));
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const hosts = matchPatterns();
  const manifest = {
    manifest_version: 3,
    name: 'Toktra',
    version: pkg.version,
    description: 'Shows your organization which AI tools are used, never what is said; enforces AI budgets.',
    icons: { '48': 'icon.png' },
    action: { default_title: 'Toktra', default_icon: { '48': 'icon.png' } },
    background: { service_worker: 'service-worker.js', type: 'module' },
    options_ui: { page: 'options.html', open_in_tab: true },
    permissions: [
      'webRequest',
      'declarativeNetRequest',
      'storage',
      'alarms',
      'notifications',
      'identity',
      'identity.email',
    ],
    // Only the catalogue's AI hosts: the extension cannot observe or block any other site.
    host_permissions: hosts,
    storage: { managed_schema: 'managed-schema.json' },
    // The notice page a blocked AI page navigation is redirected to.
    web_accessible_resources: [{ resources: ['blocked.html'], matches: hosts }],
    minimum_chrome_version: '120',
  };
  writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return outDir;
}

/** A solid square PNG, so the build needs no binary assets. */
function icon(size: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3, Buffer.from([0x22, 0x8b, 0xe6]))]);
  const pixels = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildExtension();
  console.log(`built ${path.relative(process.cwd(), DIST)}`);
}
