import { type Command, Option } from 'commander';
import { enrollDevice } from '../identity/enrollment.js';
import { resolveStateDir, statePaths } from '../state-dir.js';

export function configureEnrollCommand(cmd: Command): void {
  cmd
    .description('enroll this device with a Toktra server (the private key never leaves the device)')
    // From the environment too, so MDM / config management can enroll unattended.
    .addOption(
      new Option('--server <url>', "the server's API base, e.g. https://toktra.example.com")
        .env('TOKTRA_SERVER_URL')
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--token <token>', 'an enrollment token from your Toktra admin')
        .env('TOKTRA_ENROLL_TOKEN')
        .makeOptionMandatory(),
    )
    .option(
      '--state-dir <dir>',
      'agent state directory (default /var/lib/toktra-agent as root, else ~/.toktra-agent)',
    )
    .option('--force', 'enroll again even if this device is already enrolled')
    .action(async (opts: { server: string; token: string; stateDir?: string; force?: boolean }) => {
      const paths = statePaths(resolveStateDir(opts.stateDir));
      const enrollment = await enrollDevice(paths, opts);
      process.stdout.write(
        `Enrolled as device ${enrollment.device_id} (org ${enrollment.org_id}).\n` +
          `Events go to ${enrollment.ingest_url} over mutual TLS. Start capturing with: toktra agent run\n`,
      );
    });
}
