import { request } from 'node:https';
import { gzipSync } from 'node:zlib';
import { exportPrivateKeyPem, generateKeyPair } from '../src/pki/certificates.js';
import { SIGNING_ALGORITHM, x509 } from '../src/pki/x509.js';

export interface AgentKeys {
  keys: CryptoKeyPair;
  keyPem: string;
  csrPem: string;
}

/** What an agent does before enrolling: a fresh P-256 key and a CSR signed with it. */
export async function makeAgentKeys(commonName = 'agent'): Promise<AgentKeys> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${commonName}`,
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
  });
  return { keys, keyPem: await exportPrivateKeyPem(keys.privateKey), csrPem: csr.toString('pem') };
}

export interface TlsIdentity {
  key?: string;
  /** The device certificate followed by its org CA (what the agent presents). */
  cert?: string;
}

export interface IngestResponse {
  status: number;
  body: unknown;
  /** Set when the connection failed instead of answering. */
  error?: string;
}

/** One HTTPS request to the ingest server over a fresh connection (no pooling across identities). */
export function ingestRequest(
  baseUrl: string,
  path: string,
  options: {
    ca: string;
    identity: TlsIdentity;
    body?: unknown;
    raw?: Buffer | string;
    gzip?: boolean;
    headers?: Record<string, string>;
  },
): Promise<IngestResponse> {
  const json = options.raw ?? JSON.stringify(options.body ?? {});
  const payload = options.gzip ? gzipSync(json) : Buffer.from(json);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': payload.length,
  };
  if (options.gzip) headers['content-encoding'] = 'gzip';
  Object.assign(headers, options.headers);
  return new Promise((resolve) => {
    const req = request(
      new URL(path, baseUrl),
      { method: 'POST', agent: false, ca: options.ca, ...options.identity, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // leave as text
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', (error) => resolve({ status: 0, body: null, error: error.message }));
    req.end(payload);
  });
}

export interface EnrolledDevice {
  deviceId: string;
  /** The org CA, then the root: what an agent trusts. */
  caChain: string;
  ingestUrl: string;
  /** The device certificate followed by its org CA, with the device key. */
  identity: TlsIdentity;
}

/** What `toktra agent enroll` does over HTTP: a fresh key, a CSR, `POST /v1/enroll`. */
export async function enrollOverHttp(
  serverUrl: string,
  token: string,
  hostname = 'laptop-1',
): Promise<EnrolledDevice> {
  const agent = await makeAgentKeys();
  const res = await fetch(`${serverUrl}/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, csr: agent.csrPem, hostname, os: 'linux', agent_version: '0.1.0' }),
  });
  if (res.status !== 200) throw new Error(`enrollment refused: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as {
    device_id: string;
    certificate: string;
    ca_chain: string;
    ingest_url: string;
  };
  const orgCaPem = body.ca_chain.split(/(?<=-----END CERTIFICATE-----)/)[0]?.trim() ?? '';
  return {
    deviceId: body.device_id,
    caChain: body.ca_chain,
    ingestUrl: body.ingest_url,
    identity: { key: agent.keyPem, cert: `${body.certificate.trim()}\n${orgCaPem}\n` },
  };
}
