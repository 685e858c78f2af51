import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auth } from '../../../auth/route-auth.js';
import type { AppContext } from '../../../context.js';
import {
  createConnector,
  deleteConnector,
  getConnector,
  listConnectors,
  testConnector,
  updateConnector,
} from '../../../integrations/itsm/service.js';
import { actorOf, orgOf } from '../../auth.js';
import { rateLimitByApiKey } from '../../rate-limit.js';
import { idParams, uuidOr404 } from '../policies/shared.js';
import { commonErrors } from '../responses.js';

const connectorSchema = z.object({
  id: z.string(),
  kind: z.enum(['servicenow', 'jira']),
  name: z.string(),
  base_url: z.string(),
  project_key: z.string().nullable(),
  issue_type: z.string().nullable(),
  table_name: z.string().nullable(),
  active: z.boolean(),
  last_tested_at: z.string().nullable(),
  last_test_ok: z.boolean().nullable(),
  created_at: z.string(),
});
const serviceNowCreds = z
  .object({ username: z.string().min(1).max(200), password: z.string().min(1).max(500) })
  .strict();
const jiraCreds = z.object({ email: z.email(), api_token: z.string().min(1).max(500) }).strict();
const common = {
  name: z.string().min(1).max(100),
  base_url: z.url().max(500),
  active: z.boolean().optional(),
};
const createBody = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('servicenow'),
      ...common,
      credentials: serviceNowCreds,
      table_name: z
        .string()
        .regex(/^[a-z0-9_]{1,80}$/)
        .optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('jira'),
      ...common,
      credentials: jiraCreds,
      project_key: z.string().regex(/^[A-Z][A-Z0-9_]{0,19}$/, 'is not a Jira project key'),
      issue_type: z.string().min(1).max(60).optional(),
    })
    .strict(),
]);
const patchBody = z
  .object({
    name: common.name.optional(),
    base_url: common.base_url.optional(),
    active: z.boolean().optional(),
    credentials: z.union([serviceNowCreds, jiraCreds]).optional(),
    project_key: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]{0,19}$/)
      .optional(),
    issue_type: z.string().min(1).max(60).optional(),
    table_name: z
      .string()
      .regex(/^[a-z0-9_]{1,80}$/)
      .optional(),
  })
  .strict();

/** `/v1/itsm/connectors` CRUD and `POST /v1/itsm/connectors/{id}/test`; credentials are write-only. */
export function registerItsmConnectorRoutes(app: FastifyInstance, ctx: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const id404 = (id: string) => uuidOr404(id, 'ITSM connector');
  typed.get(
    '/v1/itsm/connectors',
    {
      schema: {
        tags: ['itsm'],
        summary: 'ITSM connectors',
        response: { 200: z.object({ data: z.array(connectorSchema) }), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => ({ data: await listConnectors(ctx, orgOf(request)) }),
  );
  typed.post(
    '/v1/itsm/connectors',
    {
      schema: {
        tags: ['itsm'],
        summary: 'Add a ServiceNow or Jira connector',
        body: createBody,
        response: { 201: connectorSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) =>
      reply.status(201).send(await createConnector(ctx, orgOf(request), actorOf(request), request.body)),
  );
  typed.get(
    '/v1/itsm/connectors/:id',
    {
      schema: {
        tags: ['itsm'],
        summary: 'An ITSM connector',
        params: idParams,
        response: { 200: connectorSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => getConnector(ctx, orgOf(request), id404(request.params.id)),
  );
  typed.patch(
    '/v1/itsm/connectors/:id',
    {
      schema: {
        tags: ['itsm'],
        summary: 'Change an ITSM connector',
        params: idParams,
        body: patchBody,
        response: { 200: connectorSchema, ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) =>
      updateConnector(ctx, orgOf(request), actorOf(request), id404(request.params.id), request.body),
  );
  typed.delete(
    '/v1/itsm/connectors/:id',
    {
      schema: {
        tags: ['itsm'],
        summary: 'Remove an ITSM connector',
        params: idParams,
        response: { 204: z.null(), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request, reply) => {
      await deleteConnector(ctx, orgOf(request), actorOf(request), id404(request.params.id));
      return reply.status(204).send(null);
    },
  );
  typed.post(
    '/v1/itsm/connectors/:id/test',
    {
      schema: {
        tags: ['itsm'],
        summary: 'Test a connector (one authenticated read)',
        params: idParams,
        response: { 200: z.object({ ok: z.boolean(), message: z.string() }), ...commonErrors },
      },
      config: { auth: auth.can('settings:manage') },
      onRequest: rateLimitByApiKey(ctx),
    },
    async (request) => testConnector(ctx, orgOf(request), id404(request.params.id)),
  );
}
