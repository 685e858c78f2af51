import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config.js';
import { ingestUrlOf } from '../enrollment/service.js';
import { createRootAuthority, issueServerCertificate } from './certificates.js';
import { x509 } from './x509.js';

describe('ingest server certificate', () => {
  it('is signed by the root for loopback names plus the public host, as DNS or IP', async () => {
    const root = await createRootAuthority();
    const { certPem } = await issueServerCertificate(root, ['toktra.example.com', '10.1.2.3']);
    const cert = new x509.X509Certificate(certPem);
    const names = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON();
    expect(names).toEqual(
      expect.arrayContaining([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
        { type: 'dns', value: 'toktra.example.com' },
        { type: 'ip', value: '10.1.2.3' },
      ]),
    );
    expect(await cert.verify({ publicKey: root.cert.publicKey, signatureOnly: true })).toBe(true);
    expect(cert.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
  });

  it('tells agents the public host when one is configured', () => {
    const config = resolveConfig({ publicHost: 'toktra.example.com', ingestPort: 9443 }, {});
    expect(ingestUrlOf({ config, ingestEndpoint: { url: undefined } })).toBe(
      'https://toktra.example.com:9443',
    );
    expect(resolveConfig({ port: 0 }, {}).ingestPort).toBe(0);
    expect(resolveConfig({}, {}).ingestPort).toBe(8443);
    expect(resolveConfig({}, { TOKTRA_PUBLIC_HOST: 'h', TOKTRA_INGEST_PORT: '1' })).toMatchObject({
      publicHost: 'h',
      ingestPort: 1,
    });
  });
});
