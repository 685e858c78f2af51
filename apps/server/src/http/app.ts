import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { auth, installRouteAuth } from '../auth/route-auth.js';
import type { AppContext } from '../context.js';
import { registerAuthRoutes } from './auth/index.js';
import { principalAuthenticator } from './auth.js';
import { registerDashboard } from './dashboard.js';
import { installErrorHandler } from './error-handler.js';
import { registerHealthRoutes } from './health.js';
import { registerGithubRoutes } from './integrations/github/index.js';
import { registerSlackRoutes } from './integrations/slack/index.js';
import { installRequestMetrics } from './request-metrics.js';
import {
  DEFAULT_HTTP_LIMITS,
  type HttpLimits,
  installAnonymousBodyDeadline,
  installStrictJsonParser,
  safeValidatorCompiler,
} from './safe-input.js';
import { registerAlertRoutes } from './v1/alerts/index.js';
import { registerAuditRoutes } from './v1/audit/index.js';
import { registerBudgetFeatureRoutes } from './v1/budgets/index.js';
import { registerDataRequestRoutes } from './v1/data-requests/index.js';
import { registerDepartmentRoutes } from './v1/departments/index.js';
import { registerDeviceRoutes } from './v1/devices/index.js';
import { registerEnroll } from './v1/enroll.js';
import { registerEventRoutes } from './v1/events/index.js';
import { registerExportRoutes } from './v1/exports/index.js';
import { resolveExtensionRequest } from './v1/extension/extension-auth.js';
import { registerExtensionRoutes } from './v1/extension/index.js';
import { registerForecastRoutes } from './v1/forecasts/index.js';
import { registerIncidentRoutes } from './v1/incidents/index.js';
import { registerItsmRoutes } from './v1/itsm/index.js';
import { registerMeRoutes } from './v1/me/index.js';
import { registerMyPrivacyRoutes } from './v1/me-privacy/index.js';
import { registerOverviewRoutes } from './v1/overview/index.js';
import { registerPerformanceRoutes } from './v1/performance/index.js';
import { registerPerksRoutes } from './v1/perks/index.js';
import { registerPolicyRoutes } from './v1/policies/index.js';
import { registerReconciliationRoutes } from './v1/provider-connections/index.js';
import { registerReimbursementRoutes } from './v1/reimbursements/index.js';
import { registerReportRoutes } from './v1/reports/index.js';
import { documentCommonErrors } from './v1/responses.js';
import { registerScorecardRoutes } from './v1/scorecards/index.js';
import { registerRetentionRoutes } from './v1/settings-retention/index.js';
import { registerSlackApiRoutes } from './v1/slack/index.js';
import { registerTierRoutes } from './v1/tiers/index.js';
import { registerUsageRoutes } from './v1/usage/index.js';
import { registerUserRoutes } from './v1/users/index.js';
import { registerWebhookRoutes } from './v1/webhooks/index.js';

export type HttpApp = FastifyInstance;

/** Builds the API + dashboard HTTP app. Routes register per feature; each endpoint is one file. */
export async function buildHttpApp(
  ctx: AppContext,
  limits: HttpLimits = DEFAULT_HTTP_LIMITS,
): Promise<HttpApp> {
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: 10 * 1024 * 1024,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    // Errors Fastify raises before routing (a malformed URL, say) get our error shape too.
    frameworkErrors: (error, _request, reply) => {
      const plain = reply as unknown as FastifyReply;
      void plain.code(400).send({ error: { code: 'bad_request', message: error.message } });
    },
  });
  app.setValidatorCompiler(safeValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installStrictJsonParser(app);
  installAnonymousBodyDeadline(app, limits.anonymousBodyTimeoutMs);
  installErrorHandler(app);
  installRequestMetrics(app, ctx);
  // Before any route: every route must declare its auth, checked here before its body is parsed.
  installRouteAuth(app, {
    principal: principalAuthenticator(ctx),
    extension: (request) => resolveExtensionRequest(ctx, request),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Toktra API', version: '1', description: 'AI-usage observability and governance' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: documentCommonErrors(jsonSchemaTransform),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerHealthRoutes(app, ctx);
  registerDashboard(app);
  registerUsageRoutes(app, ctx);
  registerReconciliationRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerDepartmentRoutes(app, ctx);
  registerEnroll(app, ctx);
  registerDeviceRoutes(app, ctx);
  registerAuthRoutes(app, ctx);
  registerMeRoutes(app, ctx);
  registerMyPrivacyRoutes(app, ctx);
  registerOverviewRoutes(app, ctx);
  registerExportRoutes(app, ctx);
  registerPerformanceRoutes(app, ctx);
  registerPerksRoutes(app, ctx);
  registerTierRoutes(app, ctx);
  registerForecastRoutes(app, ctx);
  registerScorecardRoutes(app, ctx);
  registerReportRoutes(app, ctx);
  registerBudgetFeatureRoutes(app, ctx);
  registerPolicyRoutes(app, ctx);
  registerAlertRoutes(app, ctx);
  registerIncidentRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  await registerGithubRoutes(app, ctx);
  registerSlackApiRoutes(app, ctx);
  registerItsmRoutes(app, ctx);
  registerReimbursementRoutes(app, ctx);
  registerDataRequestRoutes(app, ctx);
  registerRetentionRoutes(app, ctx);
  registerExtensionRoutes(app, ctx);
  await registerSlackRoutes(app, ctx);
  app
    .withTypeProvider<ZodTypeProvider>()
    .get(
      '/v1/openapi.json',
      { schema: { hide: true }, config: { auth: auth.public('API description') } },
      async () => app.swagger(),
    );
  return app;
}
