import type { AdminCommandName } from '@toktra/server';
import type { Command } from 'commander';

interface CommonOptions {
  dataDir?: string;
  databaseUrl?: string;
  json?: boolean;
}

type Printer = (result: never) => string;

function withCommon(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'embedded data directory (default .toktra, env TOKTRA_DATA_DIR)')
    .option('--database-url <url>', 'PostgreSQL server URL (env DATABASE_URL)')
    .option('--json', 'print exactly one JSON object');
}

function action(
  name: AdminCommandName,
  toInput: (options: Record<string, unknown>) => unknown,
  print: Printer,
) {
  return async (options: CommonOptions & Record<string, unknown>) => {
    // Loaded on use: `toktra agent …` on an employee's machine must not load the server (~100 MiB).
    const { executeAdminCommand } = await import('@toktra/server');
    const result = await executeAdminCommand(
      { dataDir: options.dataDir, databaseUrl: options.databaseUrl },
      name,
      toInput(options),
    );
    process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${print(result as never)}\n`);
    // A check that ran but found a problem (e.g. a broken audit chain) must fail scripts.
    if ((result as { ok?: unknown }).ok === false) process.exitCode = 1;
  };
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function configureAdminCommand(program: Command): void {
  const admin = program.command('admin').description('administer organisations, keys and the audit trail');
  const org = admin.command('org').description('create and list organisations');

  withCommon(org.command('create').description('create an organisation and its first owner'))
    .requiredOption('--name <name>', 'organisation name')
    .requiredOption('--admin-email <email>', 'email of the first owner')
    .option('--region <region>', 'data residency region: us, eu, au or ca (default us)')
    .option('--region-label-only', 'accept --region on a server with one database (a label, not residency)')
    .option('--time-zone <tz>', 'IANA time zone for budget periods and reports (default UTC)')
    .action(
      action(
        'org.create',
        (o) => ({
          name: o.name,
          adminEmail: o.adminEmail,
          region: o.region,
          regionLabelOnly: o.regionLabelOnly,
          timeZone: o.timeZone,
        }),
        (r: { org_id: string; admin_password: string }) =>
          `Created organisation ${r.org_id}\nOne-time admin password: ${r.admin_password}\n(shown once; change it after signing in)`,
      ),
    );

  withCommon(org.command('list').description('list organisations')).action(
    action(
      'org.list',
      () => ({}),
      (r: { orgs: Array<{ id: string; name: string; region: string }> }) =>
        r.orgs.length
          ? r.orgs.map((o) => `${o.id}  ${o.region}  ${o.name}`).join('\n')
          : 'No organisations yet.',
    ),
  );

  withCommon(admin.command('api-key').description('issue an API key for the public /v1 API (shown once)'))
    .requiredOption('--org <id>', 'organisation id')
    .option('--name <name>', 'a label for the key', 'cli')
    .option('--scopes <list>', 'comma-separated: read, write, ingest, admin', list, ['read'])
    .action(
      action(
        'api-key.create',
        (o) => ({ orgId: o.org, name: o.name, scopes: o.scopes }),
        (r: { api_key: string }) => `${r.api_key}\n(store it now: Toktra keeps only its hash)`,
      ),
    );

  withCommon(admin.command('enroll-token').description('issue a token agents enroll with (shown once)'))
    .requiredOption('--org <id>', 'organisation id')
    .option('--uses <n>', 'how many devices may enroll with it (default 1)')
    .option('--ttl <duration>', 'how long it stays valid: 30m, 24h, 7d (default 24h)')
    .option('--user <id>', 'devices enrolled with it belong to this user')
    .action(
      action(
        'enroll-token.create',
        (o) => ({ orgId: o.org, uses: o.uses, ttl: o.ttl, userId: o.user }),
        (r: { token: string; max_uses: number; expires_at: string }) =>
          `${r.token}\n(valid for ${r.max_uses} enrollment(s) until ${r.expires_at}; run: toktra agent enroll --server URL --token TOKEN)`,
      ),
    );

  const device = admin.command('device').description('manage enrolled devices');
  withCommon(device.command('revoke').description('revoke a device: ingest refuses it within seconds'))
    .requiredOption('--org <id>', 'organisation id')
    .requiredOption('--device <id>', 'device id')
    .action(
      action(
        'device.revoke',
        (o) => ({ orgId: o.org, deviceId: o.device }),
        (r: { device_id: string; revoked_at: string }) => `Revoked device ${r.device_id} at ${r.revoked_at}`,
      ),
    );

  const secrets = admin.command('secrets').description('secrets at rest (master key rotation)');
  withCommon(
    secrets
      .command('rewrap')
      .description('after rotating TOKTRA_MASTER_KEY: re-wrap stored secrets under the new key'),
  ).action(
    action(
      'secrets.rewrap',
      () => ({}),
      (r: { rewrapped: number; master_key_id: string }) =>
        `Re-wrapped ${r.rewrapped} secret(s) under master key ${r.master_key_id}.`,
    ),
  );

  const audit = admin.command('audit').description('the hash-chained audit trail');
  withCommon(audit.command('verify').description('verify the audit hash chain of an organisation'))
    .requiredOption('--org <id>', 'organisation id')
    .action(
      action(
        'audit.verify',
        (o) => ({ orgId: o.org }),
        (r: { ok: boolean; entries: number; broken_at_seq?: number; reason?: string }) =>
          r.ok
            ? `Audit chain intact: ${r.entries} entries verified.`
            : `Audit chain BROKEN at entry ${r.broken_at_seq}: ${r.reason} (${r.entries} entries verified before it)`,
      ),
    );
}
