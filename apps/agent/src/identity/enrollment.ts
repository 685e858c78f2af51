import { hostname as osHostname, platform, release, userInfo } from 'node:os';
import { readJsonFile, type StatePaths, writeStateFile } from '../state-dir.js';
import { AGENT_VERSION } from '../version.js';
import { createKeyAndCsr } from './csr.js';

export interface Enrollment {
  server: string;
  ingest_url: string;
  device_id: string;
  org_id: string;
  enrolled_at: string;
}

export class EnrollError extends Error {
  override readonly name = 'EnrollError';
}

export function readEnrollment(paths: StatePaths): Enrollment | undefined {
  return readJsonFile<Enrollment>(paths.enrollment);
}

/** Enrolls this device: key pair and CSR made locally, certificate and CA chain stored 0600. */
export async function enrollDevice(
  paths: StatePaths,
  options: { server: string; token: string; force?: boolean; fetchImpl?: typeof fetch },
): Promise<Enrollment> {
  const existing = readEnrollment(paths);
  if (existing && !options.force) {
    throw new EnrollError(
      `this device is already enrolled (device ${existing.device_id} with ${existing.server}); ` +
        'use --force to enroll it again',
    );
  }
  let base: URL;
  try {
    base = new URL(options.server);
  } catch {
    throw new EnrollError(`"${options.server}" is not a URL (expected e.g. https://toktra.example.com)`);
  }
  const host = osHostname();
  const { keyPem, csrPem } = await createKeyAndCsr(host);
  const body = {
    token: options.token,
    csr: csrPem,
    hostname: host,
    os: `${platform()} ${release()}`,
    agent_version: AGENT_VERSION,
    os_user: userInfo().username,
  };
  let response: Response;
  try {
    response = await (options.fetchImpl ?? fetch)(new URL('/v1/enroll', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new EnrollError(
      `cannot reach the Toktra server at ${base.origin}: ${cause?.code ?? cause?.message ?? String(error)}`,
    );
  }
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const message = (answer.error as { message?: string } | undefined)?.message ?? `HTTP ${response.status}`;
    throw new EnrollError(`the server refused the enrollment: ${message}`);
  }
  const enrollment: Enrollment = {
    server: base.origin,
    ingest_url: String(answer.ingest_url),
    device_id: String(answer.device_id),
    org_id: String(answer.org_id),
    enrolled_at: new Date().toISOString(),
  };
  writeStateFile(paths.key, keyPem);
  writeStateFile(paths.certificate, String(answer.certificate));
  writeStateFile(paths.caChain, String(answer.ca_chain));
  writeStateFile(paths.enrollment, `${JSON.stringify(enrollment, null, 2)}\n`);
  return enrollment;
}
