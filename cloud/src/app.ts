import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Accounts } from './accounts/accounts-module.js';
import type { BrokerAccounts } from './broker/broker-accounts.js';
import type { CloudConfig } from './config.js';
import type { Db } from './db/database.js';
import { dingoPlugin } from './dingo/dingo-plugin.js';
import { dingoRoutingAnswer } from './dingo/envelope.js';
import type { CabinetRepository } from './fleet/cabinet-repository.js';
import type { DesiredStateService } from './fleet/desired-state-service.js';
import type { FleetLink } from './fleet/fleet-link.js';
import { frameworkErrorHandler, installErrorHandler } from './http/error-handler.js';
import { acceptEmptyJsonBodies } from './http/json-body.js';
import { adminCabinetRoutes } from './http/routes/admin-cabinets.js';
import { adminDesiredRoutes } from './http/routes/admin-desired.js';
import { healthRoutes } from './http/routes/health.js';
import { v1AccountRoutes } from './http/v1/index.js';
import { v1TasksApi } from './http/v1/tasks-index.js';
import type { NotificationService } from './notifications/notification-service.js';
import type { Tasks } from './tasks/tasks-module.js';

/** What the HTTP app is built from; `server.ts` makes them, tests may make their own. */
export interface CloudServices {
  config: CloudConfig;
  logger: Logger;
  db: Db;
  cabinets: CabinetRepository;
  fleet: FleetLink;
  /** Courier credentials and box settings each cabinet holds for offline use. */
  desired: DesiredStateService;
  brokerAccounts: BrokerAccounts;
  /** Accounts, sessions, verification and addresses, shared by /v1 and the Dingo layer. */
  accounts: Accounts;
  /** The one way to notify a user; other features publish through it. */
  notifications: NotificationService;
  /** Tasks, collectors' statuses and payments, shared by /v1 and the Dingo layer. */
  tasks: Tasks;
  ready: () => boolean;
}

/** Builds the fastify app: plugins, schemas, routes. Opens no port (see server.ts). */
export async function buildApp(services: CloudServices): Promise<FastifyInstance> {
  const httpLogger: FastifyBaseLogger = services.logger.child({ subsystem: 'http' });
  const app = Fastify({
    loggerInstance: httpLogger,
    bodyLimit: 1024 * 1024,
    frameworkErrors: frameworkErrorHandler(dingoRoutingAnswer(services.config.dingo)),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  acceptEmptyJsonBodies(app);

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
  await app.register(adminDesiredRoutes, {
    adminToken: services.config.adminToken,
    desired: services.desired,
  });
  await app.register(v1AccountRoutes, {
    adminToken: services.config.adminToken,
    accounts: services.accounts,
    notifications: services.notifications,
  });
  await app.register(v1TasksApi, {
    adminToken: services.config.adminToken,
    accounts: services.accounts,
    tasks: services.tasks,
  });
  if (services.config.dingo.enabled) {
    await app.register(dingoPlugin, {
      prefix: services.config.dingo.prefix,
      accounts: services.accounts,
      tasks: services.tasks,
      failuresAsHttp200: services.config.dingo.failuresAsHttp200,
    });
  }
  return app;
}
