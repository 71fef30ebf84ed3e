import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Accounts } from './accounts/accounts-module.js';
import type { Authorizers } from './authorizers/authorizers-module.js';
import { authorizersRoutes } from './authorizers/authorizers-routes.js';
import type { BrokerAccounts } from './broker/broker-accounts.js';
import type { CloudConfig } from './config.js';
import type { Db } from './db/database.js';
import { dingoPlugin } from './dingo/dingo-plugin.js';
import { dingoRoutingAnswer } from './dingo/envelope.js';
import type { CabinetRepository } from './fleet/cabinet-repository.js';
import type { CommandLog } from './fleet/command-log.js';
import type { DesiredStateService } from './fleet/desired-state-service.js';
import type { FleetLink } from './fleet/fleet-link.js';
import { adminPlugin } from './http/admin/admin-plugin.js';
import { frameworkErrorHandler, installErrorHandler } from './http/error-handler.js';
import { acceptEmptyJsonBodies } from './http/json-body.js';
import { refuseControlCharactersInText } from './http/plain-text.js';
import { adminLoginRoutes } from './http/routes/admin-sessions.js';
import { healthRoutes } from './http/routes/health.js';
import { v1AccountRoutes } from './http/v1/index.js';
import { v1NotificationRoutes } from './http/v1/notification-routes.js';
import { v1TasksApi } from './http/v1/tasks-index.js';
import type { NotificationService } from './notifications/notification-service.js';
import type { AuditLog } from './operators/audit-log.js';
import type { OperatorAccounts } from './operators/operator-accounts.js';
import { v1ParcelRoutes } from './parcels/parcel-routes.js';
import type { ParcelService } from './parcels/parcel-service.js';
import type { Rights } from './rights-module.js';
import { rightsRoutes } from './rights-routes.js';
import type { CabinetAccessKeys } from './security/cabinet-access-keys.js';
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
  /** Each cabinet's access key, shown at provisioning (ADR 0015). */
  accessKeys: CabinetAccessKeys;
  /** Accounts, sessions, verification and addresses, shared by /v1 and the Dingo layer. */
  accounts: Accounts;
  /** The one way to notify a user; other features publish through it. */
  notifications: NotificationService;
  /** Operator accounts and roles, the audit of what they did, and the log of commands sent. */
  operators: OperatorAccounts;
  audit: AuditLog;
  commands: CommandLog;
  /** Tasks, collectors' statuses and payments, shared by /v1 and the Dingo layer. */
  tasks: Tasks;
  /** Parcels: announcements, the recipient's and courier's lists, operators' view. */
  parcels: ParcelService;
  /** The cloud's X25519 public key cabinets seal pickup codes to (ADR 0013). */
  codeKey: string;
  /** Sites, reservations, authorizations and the timeline (the patent). */
  rights: Rights;
  /** Third-party authorizers (method 2, ADR 0016). */
  authorizers: Authorizers;
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
  refuseControlCharactersInText(app);

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
            description:
              "an operator's own bearer token (POST /v1/admin/operators), or the bootstrap adminToken",
          },
          bearer: { type: 'http', scheme: 'bearer', description: 'user session token from /v1/sessions' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  void app.register(healthRoutes, { ready: services.ready });
  const admin = {
    adminToken: services.config.adminToken,
    cabinets: services.cabinets,
    fleet: services.fleet,
    desired: services.desired,
    brokerAccounts: services.brokerAccounts,
    accessKeys: services.accessKeys,
    accounts: services.accounts,
    operators: services.operators,
    audit: services.audit,
    commands: services.commands,
    tasks: services.tasks,
    parcels: services.parcels,
    codeKey: services.codeKey,
    rights: services.rights,
    authorizers: services.authorizers,
  };
  // The services go in a closure: fastify would pass a `prefix` option on to the route modules.
  void app.register(async (scope) => adminPlugin(scope, admin), { prefix: '/v1/admin' });
  void app.register(async (scope) => adminLoginRoutes(scope, admin), { prefix: '/v1/admin' });
  void app.register(v1AccountRoutes, {
    accounts: services.accounts,
  });
  void app.register(v1NotificationRoutes, {
    sessions: services.accounts.sessions,
    notifications: services.notifications,
  });
  void app.register(v1TasksApi, {
    accounts: services.accounts,
    tasks: services.tasks,
  });
  void app.register(v1ParcelRoutes, { sessions: services.accounts.sessions, parcels: services.parcels });
  void app.register(rightsRoutes, { sessions: services.accounts.sessions, rights: services.rights });
  void app.register(authorizersRoutes, {
    sessions: services.accounts.sessions,
    authorizers: services.authorizers,
  });
  if (services.config.dingo.enabled) {
    void app.register(dingoPlugin, {
      prefix: services.config.dingo.prefix,
      accounts: services.accounts,
      tasks: services.tasks,
      failuresAsHttp200: services.config.dingo.failuresAsHttp200,
    });
  }
  return app;
}
