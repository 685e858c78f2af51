import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** Where the agent keeps its key, certificate, queue and settings. */
export function resolveStateDir(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (option) return path.resolve(option);
  if (env.TOKTRA_AGENT_STATE_DIR) return path.resolve(env.TOKTRA_AGENT_STATE_DIR);
  return process.getuid?.() === 0 ? '/var/lib/toktra-agent' : path.join(homedir(), '.toktra-agent');
}

export const statePaths = (dir: string) => ({
  dir,
  key: path.join(dir, 'identity', 'device-key.pem'),
  certificate: path.join(dir, 'identity', 'device-cert.pem'),
  caChain: path.join(dir, 'identity', 'ca-chain.pem'),
  enrollment: path.join(dir, 'enrollment.json'),
  queue: path.join(dir, 'queue'),
  personalQueue: path.join(dir, 'personal-queue'),
  privacy: path.join(dir, 'privacy.json'),
  personal: path.join(dir, 'personal.json'),
  status: path.join(dir, 'status.json'),
});

export type StatePaths = ReturnType<typeof statePaths>;

/** Writes a file atomically (temp + rename) with the given mode, creating its folder (0700). */
export function writeStateFile(file: string, content: string, mode = 0o600): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

export function readJsonFile<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
