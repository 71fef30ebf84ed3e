import pino from 'pino';
import { buildApp } from './app.js';
import { parseCloudConfig } from './config.js';
import { DesiredStateService } from './fleet/desired-state-service.js';
import { FleetLink } from './fleet/fleet-link.js';
import { CloudServer } from './server.js';

/**
 * The OpenAPI document exactly as `/openapi.json` serves it, built without a port, a broker or a
 * database connection (nothing is started; routes are only registered, never run).
 */
export async function buildOpenApiDocument(): Promise<unknown> {
  const config = parseCloudConfig({
    broker: {
      url: 'mqtt://127.0.0.1:1883',
      servicePassword: 'openapi-export-only',
      embedded: { enabled: false },
    },
    database: { dialect: 'sqlite', file: ':memory:' },
    adminToken: 'openapi-export-only-not-a-real-token',
    logLevel: 'silent',
  });
  const logger = pino({ level: 'silent' });
  const server = new CloudServer(config, logger);
  // Never connected: building the document registers routes but sends no command.
  const fleet = Object.create(FleetLink.prototype) as FleetLink;
  const app = await buildApp({
    config,
    logger,
    db: server.db,
    cabinets: server.cabinets,
    fleet,
    desired: new DesiredStateService(server.db, server.cabinets, fleet, logger),
    brokerAccounts: server.brokerAccounts,
    accounts: server.accounts,
    notifications: server.notifications,
    operators: server.operators,
    audit: server.audit,
    commands: server.commands,
    tasks: server.tasks,
    ready: () => false,
  });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
    await server.db.destroy();
  }
}

/** The committed form of the document: stable key order as generated, two-space JSON. */
export const openApiText = (doc: unknown): string => `${JSON.stringify(doc, null, 2)}\n`;
