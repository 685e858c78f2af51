import { randomUUID } from 'node:crypto';
import { AppError } from '@toktra/core';
import type { Tx } from '@toktra/db';

/**
 * Everything that identifies one person in an org's data: the user id and the identifiers other
 * tables know them by (email, name, OS account names, Slack ids, GitHub logins, personal devices).
 */
export interface Subject {
  orgId: string;
  userId: string;
  /** The id the person's usage moves to (events, rollups); kept on the request record. */
  pseudonym: string;
  email: string;
  name: string;
  osUsers: string[];
  slackUserIds: string[];
  githubLogins: string[];
  deviceIds: string[];
  hostnames: string[];
}

/** Names shorter than this are not redacted inside other free text (too many false matches). */
const MIN_TEXT_IDENTIFIER = 4;

export async function loadSubject(
  tx: Tx,
  orgId: string,
  userId: string,
  pseudonym: string = randomUUID(),
): Promise<Subject> {
  const db = tx.db;
  const user = await db
    .selectFrom('users')
    .select(['email', 'name'])
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw new AppError('not_found', 'the subject of this request no longer exists');
  const devices = await db
    .selectFrom('devices')
    .select(['id', 'hostname', 'os_user'])
    .where('org_id', '=', orgId)
    .where('owner_user_id', '=', userId)
    .execute();
  const mapped = await db
    .selectFrom('os_user_mappings')
    .select('os_user')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .execute();
  const seen = await db
    .selectFrom('events')
    .select('os_user')
    .distinct()
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('os_user', 'is not', null)
    .execute();
  const slack = await db
    .selectFrom('slack_user_mappings')
    .select('slack_user_id')
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('user_id', '=', userId), eb('email', '=', user.email.toLowerCase())]))
    .execute();
  const github = await db
    .selectFrom('github_user_mappings')
    .select('login')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .execute();
  const unique = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => !!v))];
  return {
    orgId,
    userId,
    pseudonym,
    email: user.email,
    name: user.name,
    osUsers: unique([
      ...devices.map((d) => d.os_user),
      ...mapped.map((m) => m.os_user),
      ...seen.map((s) => s.os_user),
    ]),
    slackUserIds: unique(slack.map((s) => s.slack_user_id)),
    githubLogins: unique(github.map((g) => g.login)),
    deviceIds: devices.map((d) => d.id),
    hostnames: unique(devices.map((d) => d.hostname)),
  };
}

/** Each identifier and what replaces it wherever it appears in free text. */
export function replacements(subject: Subject): [string, string][] {
  const pairs: [string, string][] = [
    [subject.userId, subject.pseudonym],
    [subject.email, `erased-${subject.pseudonym.slice(0, 8)}@erased.invalid`],
  ];
  const text = [
    subject.name,
    ...subject.osUsers,
    ...subject.slackUserIds,
    ...subject.githubLogins,
    ...subject.hostnames,
  ];
  for (const value of text) {
    if (value.length >= MIN_TEXT_IDENTIFIER) pairs.push([value, '[erased]']);
  }
  // Longest first, so an email is replaced before a name inside it.
  return pairs.sort((a, b) => b[0].length - a[0].length);
}

/** Every identifier of the subject (what an erasure test searches for afterwards). */
export function identifiers(subject: Subject): string[] {
  return [
    subject.userId,
    subject.email,
    subject.name,
    ...subject.osUsers,
    ...subject.slackUserIds,
    ...subject.githubLogins,
    ...subject.hostnames,
  ];
}

export function escapeRegex(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** A case-insensitive PostgreSQL regex matching any identifier that erasure replaces. */
export function identifierPattern(subject: Subject): string {
  return replacements(subject)
    .map(([from]) => escapeRegex(from))
    .join('|');
}
