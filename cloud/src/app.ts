import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { BrokerAccounts } from './broker/broker-accounts.js';
import type { CloudConfig } from './config.js';
import type { Db } from './db/database.js';
import type { CabinetRepository } from './fleet/cabinet-repository.js';
import type { FleetLink } from './fleet/fleet-link.js';
import { installErrorHandler } from './http/error-handler.js';
import { adminCabinetRoutes } from './http/routes/admin-cabinets.js';
import { healthRoutes } from './http/routes/health.js';

/** What the HTTP app is built from; `server.ts` makes them, tests may make their own. */
export interface CloudServices {
  config: CloudConfig;
  logger: Logger;
  db: Db;
  cabinets: CabinetRepository;
  fleet: FleetLink;
  brokerAccounts: BrokerAccounts;
  ready: () => boolean;
}

/** Builds the fastify app: plugins, schemas, routes. Opens no port (see server.ts). */
export async function buildApp(services: CloudServices): Promise<FastifyInstance> {
  const httpLogger: FastifyBaseLogger = services.logger.child({ subsystem: 'http' });
  const app = Fastify({
    loggerInstance: httpLogger,
    bodyLimit: 1024 * 1024,
    disableRequestLogging: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Locker cloud API',
        version: '0.1.0',
        description: 'Phones and operators talk to the locker cloud here.',
      },
      components: {
        securitySchemes: {
          adminToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'operator API token (config adminToken)',
          },
          bearer: { type: 'http', scheme: 'bearer', description: 'user session token from /v1/sessions' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { ready: services.ready });
  await app.register(adminCabinetRoutes, {
    adminToken: services.config.adminToken,
    cabinets: services.cabinets,
    fleet: services.fleet,
    brokerAccounts: services.brokerAccounts,
  });
  return app;
}
