import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../auth/route-auth.js';
import type { AppContext } from '../../context.js';
import { enrollDevice } from '../../enrollment/service.js';

const bodySchema = z.object({
  token: z.string().min(1).max(200),
  csr: z.string().min(1).max(16_384).describe('PEM PKCS#10 request for an ECDSA P-256 key'),
  hostname: z.string().trim().min(1).max(253),
  os: z.string().trim().min(1).max(100),
  agent_version: z.string().trim().min(1).max(64),
  os_user: z.string().trim().min(1).max(256).optional(),
});

const responseSchema = z.object({
  device_id: z.string(),
  org_id: z.string(),
  certificate: z.string().describe('the device certificate (PEM)'),
  ca_chain: z.string().describe('org CA then Toktra root (PEM); present the org CA with the certificate'),
  ingest_url: z.string(),
});

/**
 * `POST /v1/enroll`: an agent trades an enrollment token and a CSR for a device certificate.
 * No API key: the token is the credential (and it picks the org).
 */
export function registerEnroll(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/enroll',
    {
      config: { auth: auth.public('one-time enrollment token in the body') },
      schema: {
        tags: ['devices'],
        summary: 'Enroll a device',
        security: [],
        body: bodySchema,
        response: { 200: responseSchema },
      },
    },
    async (request) => {
      const body = request.body;
      const enrolled = await enrollDevice(ctx, {
        token: body.token,
        csr: body.csr,
        hostname: body.hostname,
        os: body.os,
        agentVersion: body.agent_version,
        osUser: body.os_user,
      });
      return {
        device_id: enrolled.deviceId,
        org_id: enrolled.orgId,
        certificate: enrolled.certificate,
        ca_chain: enrolled.caChain,
        ingest_url: enrolled.ingestUrl,
      };
    },
  );
}
