import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readUserNames } from '../attribution/passwd.js';
import { readJsonFile, type StatePaths } from '../state-dir.js';
import { isPrivate, type PrivacySettings, type PrivacyState, privacyStateAny } from './schedule.js';

/** The server's answer (GET /ingest/v1/privacy), kept on disk so it is enforced offline too. */
export interface PortalPrivacy {
  fetched_at: string;
  /** The device owner's settings: for accounts the server was not asked about. */
  default: PrivacySettings | null;
  /** Per local account name (lower-case): the settings of the person it is attributed to. */
  os_users: Record<string, PrivacySettings | null>;
}

export const privacyPaths = (paths: StatePaths) => ({
  /** Device-wide (set by whoever administers the agent itself: root, or the user it runs as). */
  device: paths.privacy,
  /** Per local account, by uid: set by that account (request directory, or sudo). */
  usersDir: path.join(paths.dir, 'privacy-users'),
  user: (uid: number) => path.join(paths.dir, 'privacy-users', `${uid}.json`),
  /** The last portal settings this device received. */
  portal: path.join(paths.dir, 'privacy-portal.json'),
  /** World-writable, sticky, unlistable: where unprivileged accounts drop their requests. */
  requests: path.join(paths.dir, 'privacy-requests'),
});

export interface Owner {
  uid: number;
  user: string;
}

/**
 * Who is private right now, from three sources, any of which wins and none of which can switch
 * another off: device-wide local settings, each account's own local settings, and the portal
 * settings of the person each account is attributed to (last known, kept on disk).
 *
 * Multi-user devices: a private person's connections are dropped, other accounts' are still
 * observed — one employee's pause must not silently hide a colleague's usage. Capture itself
 * (tcpdump) stops only when everyone who could be attributed on this device is private, which on
 * the usual one-person laptop is exactly when its owner is. Connections whose local account is
 * unknown are dropped while anyone on the device is private: they could be that person's.
 */
export class PrivacyPolicy {
  private readonly files: ReturnType<typeof privacyPaths>;
  private cache:
    | { at: number; device?: PrivacySettings; users: Map<number, PrivacySettings>; portal?: PortalPrivacy }
    | undefined;
  private names: Map<number, string> | undefined;
  /** Accounts seen owning connections: asked about on the next portal sync. */
  readonly seenAccounts = new Set<string>();

  constructor(
    paths: StatePaths,
    private readonly options: { passwdFile?: string; cacheMs?: number } = {},
  ) {
    this.files = privacyPaths(paths);
  }

  /** Re-reads the files at most every `cacheMs` (the capture asks every second and per connection). */
  private sources() {
    const now = Date.now();
    if (this.cache && now - this.cache.at < (this.options.cacheMs ?? 500)) return this.cache;
    const users = new Map<number, PrivacySettings>();
    let entries: string[] = [];
    try {
      entries = readdirSync(this.files.usersDir);
    } catch {
      // none yet
    }
    for (const entry of entries) {
      const match = /^(\d+)\.json$/.exec(entry);
      const settings = match ? safeRead<PrivacySettings>(path.join(this.files.usersDir, entry)) : undefined;
      if (match && settings) users.set(Number(match[1]), settings);
    }
    this.cache = {
      at: now,
      device: safeRead<PrivacySettings>(this.files.device),
      users,
      portal: safeRead<PortalPrivacy>(this.files.portal),
    };
    return this.cache;
  }

  /** Forget the cached files (after this process changed one). */
  invalidate(): void {
    this.cache = undefined;
  }

  private userNames(): Map<number, string> {
    this.names ??= readUserNames(this.options.passwdFile);
    return this.names;
  }

  /** Local accounts the portal is asked about: root, people's accounts (uid ≥ 1000), those seen. */
  accounts(): string[] {
    this.names = undefined; // once per sync: accounts created since the last one are asked about too
    const names = new Set<string>(['root']);
    for (const [uid, name] of this.userNames()) if (uid >= 1000 && uid < 65534) names.add(name.toLowerCase());
    for (const name of this.seenAccounts) names.add(name);
    return [...names].slice(0, 256);
  }

  private portalFor(portal: PortalPrivacy | undefined, user: string | undefined) {
    if (!portal) return undefined;
    const key = user?.toLowerCase();
    if (key !== undefined && key in portal.os_users) return portal.os_users[key] ?? undefined;
    return portal.default ?? undefined;
  }

  /** Whether a connection of `owner` (unknown: undefined) at `at` must be dropped. */
  isPrivateFor(owner: Owner | undefined, at: Date = new Date()): boolean {
    const { device, users, portal } = this.sources();
    if (isPrivate(device, at)) return true;
    if (!owner) {
      const everyone = [portal?.default, ...Object.values(portal?.os_users ?? {}), ...users.values()];
      return everyone.some((s) => isPrivate(s ?? undefined, at));
    }
    return isPrivate(users.get(owner.uid), at) || isPrivate(this.portalFor(portal, owner.user), at);
  }

  /** Whether capture itself must stop: device-wide, or everyone attributable here is private. */
  captureBlocked(at: Date = new Date()): boolean {
    const { device, users, portal } = this.sources();
    if (isPrivate(device, at)) return true;
    if (!portal?.default || !isPrivate(portal.default, at)) return false;
    const uidOf = new Map([...this.userNames()].map(([uid, name]) => [name.toLowerCase(), uid]));
    return Object.entries(portal.os_users).every(([name, settings]) => {
      const uid = uidOf.get(name);
      return isPrivate(settings ?? undefined, at) || (uid !== undefined && isPrivate(users.get(uid), at));
    });
  }

  /** What the heartbeat reports: only off | configured | active, never whose or when. */
  state(at: Date = new Date()): PrivacyState {
    const { device, users, portal } = this.sources();
    return privacyStateAny(
      [
        device,
        ...users.values(),
        portal?.default ?? undefined,
        ...Object.values(portal?.os_users ?? {}).map((s) => s ?? undefined),
      ],
      at,
    );
  }

  /** One account's own view (its local settings and the portal's for it), for `privacy show`. */
  viewFor(owner: Owner): {
    local?: PrivacySettings;
    portal?: PrivacySettings;
    portalFetchedAt?: string;
    private: boolean;
  } {
    const { users, portal } = this.sources();
    return {
      local: users.get(owner.uid),
      portal: this.portalFor(portal, owner.user),
      portalFetchedAt: portal?.fetched_at,
      private: this.isPrivateFor(owner),
    };
  }
}

/** A torn or hand-edited file must not crash capture; it counts as absent. */
function safeRead<T>(file: string): T | undefined {
  try {
    return readJsonFile<T>(file);
  } catch {
    return undefined;
  }
}
