import { readFileSync } from 'node:fs';

/** uid → user name from /etc/passwd (NSS-only users, e.g. LDAP, are reported by uid). */
export function readUserNames(file = '/etc/passwd'): Map<number, string> {
  const names = new Map<number, string>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return names;
  }
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && /^\d+$/.test(uid) && !names.has(Number(uid))) names.set(Number(uid), name);
  }
  return names;
}

/**
 * The accounts a person can log in to: uid 1000–65533 with a real shell (system and service
 * accounts have nologin/false). Used only to decide whether an unknown socket owner can be
 * nobody but the device's single person.
 */
export function readInteractiveAccounts(file = '/etc/passwd'): Array<{ uid: number; user: string }> {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const accounts: Array<{ uid: number; user: string }> = [];
  for (const line of text.split('\n')) {
    const [name, , uid, , , , shell = ''] = line.split(':');
    const n = Number(uid);
    if (!name || !/^\d+$/.test(uid ?? '') || n < 1000 || n >= 65534) continue;
    if (/(nologin|false|sync|halt|shutdown)$/.test(shell.trim()) || shell.trim() === '') continue;
    accounts.push({ uid: n, user: name });
  }
  return accounts;
}
