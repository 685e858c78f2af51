import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  fchownSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { readUserNames } from '../attribution/passwd.js';
import { readJsonFile, type StatePaths, writeStateFile } from '../state-dir.js';
import { applyOp, emptySettings, type PrivacyOp, parseOp } from './ops.js';
import { type PrivacyPolicy, privacyPaths } from './policy.js';
import type { PrivacySettings } from './schedule.js';

/**
 * Privacy controls without sudo. When the agent runs as root, its state directory is not the
 * employee's; they drop a request file into `privacy-requests/` instead (mode 1733: anyone may
 * create, nobody may list, only the owner may remove) and the agent applies it to the settings of
 * the account that OWNS the file. The kernel sets a file's owner to its creator and only root can
 * change it, so the owner uid is the authenticated identity — Node has no SO_PEERCRED, and this
 * needs none. Hard links (another account's file linked in) and symlinks are refused.
 */
export interface PrivacyReply {
  ok: boolean;
  message: string;
  settings?: PrivacySettings;
  portal?: PrivacySettings | null;
  portal_fetched_at?: string | null;
  private?: boolean;
}

const MAX_REQUEST_BYTES = 16 * 1024;
const NAME = /^[A-Za-z0-9_-]{16,64}\.req$/;

/**
 * Creates the request directory and lets other accounts reach it (the state dir becomes 0711).
 * The agent may run as root or as its own system account (systemd with capabilities): either way
 * it owns the directory, so it can list it and remove what is left in it.
 */
export function prepareRequestDir(paths: StatePaths): void {
  const dir = privacyPaths(paths).requests;
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o1733);
  // Traverse-only for others: every file inside keeps its own 0600/0700.
  const mode = statSync(paths.dir).mode & 0o777;
  if ((mode & 0o011) !== 0o011) chmodSync(paths.dir, mode | 0o011);
}

/** Applies every pending request; returns how many were handled. */
export function processRequests(paths: StatePaths, policy: PrivacyPolicy, names = readUserNames()): number {
  const files = privacyPaths(paths);
  let entries: string[];
  try {
    entries = readdirSync(files.requests).filter((e) => NAME.test(e));
  } catch {
    return 0;
  }
  removeStale(files.requests);
  for (const entry of entries.slice(0, 100)) {
    const file = path.join(files.requests, entry);
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      rmSync(file, { force: true });
      continue;
    }
    let uid: number | undefined;
    let reply: PrivacyReply;
    try {
      const st = fstatSync(fd);
      uid = st.uid;
      if (!st.isFile() || st.nlink !== 1 || st.size > MAX_REQUEST_BYTES) {
        reply = { ok: false, message: 'refused: not a plain file of its own' };
      } else {
        reply = handle(paths, policy, st.uid, names.get(st.uid) ?? String(st.uid), readFileSync(fd, 'utf8'));
      }
    } catch (error) {
      reply = { ok: false, message: `refused: ${(error as Error).message}` };
    } finally {
      closeSync(fd);
    }
    rmSync(file, { force: true });
    if (uid !== undefined) writeReply(file.replace(/\.req$/, '.res'), uid, reply);
  }
  return entries.length;
}

function handle(
  paths: StatePaths,
  policy: PrivacyPolicy,
  uid: number,
  user: string,
  text: string,
): PrivacyReply {
  let op: PrivacyOp | undefined;
  try {
    op = parseOp(JSON.parse(text));
  } catch {
    op = undefined;
  }
  if (!op) return { ok: false, message: 'refused: not a Privacy Hours request' };
  const file = privacyPaths(paths).user(uid);
  const current = readJsonFile<PrivacySettings>(file) ?? emptySettings();
  const next = applyOp(current, op);
  if (op.op !== 'show') {
    writeStateFile(file, `${JSON.stringify(next, null, 2)}\n`);
    policy.invalidate();
  }
  const view = policy.viewFor({ uid, user });
  return {
    ok: true,
    message: `applied for ${user}`,
    settings: next,
    portal: view.portal ?? null,
    portal_fetched_at: view.portalFetchedAt ?? null,
    private: view.private,
  };
}

/**
 * The reply, created fresh (a planted file or link is not followed). A root agent gives it to the
 * requester (0600); an agent on its own account cannot, so it is 0644 under a random name in a
 * directory nobody else can list, and the agent removes it after a minute.
 */
function writeReply(file: string, uid: number, reply: PrivacyReply): void {
  const root = process.getuid?.() === 0;
  try {
    const fd = openSync(
      file,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      root ? 0o600 : 0o644,
    );
    try {
      writeSync(fd, JSON.stringify(reply));
      if (root) fchownSync(fd, uid, -1);
    } finally {
      closeSync(fd);
    }
  } catch {
    // the requester gave up (or planted something): nothing to tell
  }
}

/** Client side: submits `op` as this account and waits for the agent's reply. */
export async function submitRequest(
  paths: StatePaths,
  op: PrivacyOp,
  timeoutMs = 10_000,
): Promise<PrivacyReply> {
  const dir = privacyPaths(paths).requests;
  const id = randomBytes(16).toString('hex');
  const tmp = path.join(dir, `.${id}.tmp`);
  const request = path.join(dir, `${id}.req`);
  const reply = path.join(dir, `${id}.res`);
  // Readable by the agent even when it runs on its own (non-root) account; nobody else can list the directory.
  writeFileSync(tmp, JSON.stringify(op), { mode: 0o644, flag: 'wx' });
  renameSync(tmp, request);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(reply)) {
      const answer = JSON.parse(readFileSync(reply, 'utf8')) as PrivacyReply;
      try {
        rmSync(reply, { force: true });
      } catch {
        // not ours to remove (a non-root agent wrote it): the agent clears it
      }
      return answer;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  rmSync(request, { force: true });
  throw new Error(`the agent did not answer within ${timeoutMs / 1000} s — is \`toktra agent run\` running?`);
}

/** Replies nobody collected and abandoned temp files, after a minute. */
function removeStale(dir: string): void {
  const cutoff = Date.now() - 60_000;
  let entries: string[] = [];
  try {
    entries = readdirSync(dir).filter((e) => e.endsWith('.res') || e.endsWith('.tmp'));
  } catch {
    return;
  }
  for (const entry of entries) {
    try {
      const file = path.join(dir, entry);
      if (lstatSync(file).mtimeMs < cutoff) rmSync(file, { force: true });
    } catch {
      // gone meanwhile
    }
  }
}

/** Whether this process must go through the request directory (it cannot write the state dir). */
export function needsRequest(paths: StatePaths): boolean {
  if (process.getuid?.() === 0) return false;
  try {
    return statSync(paths.dir).uid !== process.getuid?.();
  } catch {
    return false;
  }
}
