import type { IngestClient } from '../shipping/ingest-client.js';
import type { StatePaths } from '../state-dir.js';
import { writeStateFile } from '../state-dir.js';
import { type PortalPrivacy, type PrivacyPolicy, privacyPaths } from './policy.js';

/**
 * Fetches the portal Privacy Hours of the people this device's accounts are attributed to and
 * keeps them on disk (0600): an agent that cannot reach the server — or restarts offline — goes
 * on enforcing the last known schedules and pauses. Only a successful answer replaces them, so an
 * outage never lifts anyone's privacy; a resume in the portal takes effect once the device hears it.
 */
export async function syncPortalPrivacy(
  client: IngestClient,
  paths: StatePaths,
  policy: PrivacyPolicy,
): Promise<'updated' | 'unreachable'> {
  const query = new URLSearchParams({ os_users: policy.accounts().join(',') });
  try {
    const response = await client.get(`/ingest/v1/privacy?${query}`);
    if (response.status !== 200) return 'unreachable';
    const body = response.body as Omit<PortalPrivacy, 'fetched_at'>;
    const saved: PortalPrivacy = {
      fetched_at: new Date().toISOString(),
      default: body.default ?? null,
      os_users: body.os_users ?? {},
    };
    writeStateFile(privacyPaths(paths).portal, `${JSON.stringify(saved, null, 2)}\n`);
    policy.invalidate();
    return 'updated';
  } catch {
    return 'unreachable';
  }
}
