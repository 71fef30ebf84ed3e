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
import { v1NotificationRoutes } from './http/v1/notification-routes.js';
import type { NotificationService } from './notifications/notification-service.js';
import { adminParcelRoutes } from './parcels/admin-parcel-routes.js';
import { v1ParcelRoutes } from './parcels/parcel-routes.js';
import type { ParcelService } from './parcels/parcel-service.js';

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
  /** Parcels: announcements, the recipient's and courier's lists, operators' view. */
  parcels: ParcelService;
  /** The cloud's X25519 public key cabinets seal pickup codes to (ADR 0013). */
  codeKey: string;
  ready: () => boolean;
}

/** Builds the fastify app and waits until its plugins have loaded. Opens no port (see server.ts). */
export async function buildApp(services: CloudServices): Promise<FastifyInstance> {
  const app = createApp(services);
  await app.ready();
  return app;
}

/**
 * The fastify app with its plugins queued in order (they load on `ready()` or `listen()`), built
 * without I/O so the server can make it in its constructor. Each module's routes are one plugin.
 */
export function createApp(services: CloudServices): FastifyInstance {
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

  void app.register(swagger, {
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

  void app.register(healthRoutes, { ready: services.ready });
  void app.register(adminCabinetRoutes, {
    adminToken: services.config.adminToken,
    cabinets: services.cabinets,
    fleet: services.fleet,
    brokerAccounts: services.brokerAccounts,
  });
  void app.register(adminDesiredRoutes, {
    adminToken: services.config.adminToken,
    desired: services.desired,
  });
  void app.register(v1AccountRoutes, {
    adminToken: services.config.adminToken,
    accounts: services.accounts,
  });
  void app.register(v1NotificationRoutes, {
    sessions: services.accounts.sessions,
    notifications: services.notifications,
  });
  void app.register(v1ParcelRoutes, { sessions: services.accounts.sessions, parcels: services.parcels });
  void app.register(adminParcelRoutes, {
    adminToken: services.config.adminToken,
    parcels: services.parcels,
    codeKey: services.codeKey,
  });
  if (services.config.dingo.enabled) {
    void app.register(dingoPlugin, {
      prefix: services.config.dingo.prefix,
      accounts: services.accounts,
      failuresAsHttp200: services.config.dingo.failuresAsHttp200,
    });
  }
  return app;
}
