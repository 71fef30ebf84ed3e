import pino from 'pino';
import { parseCloudConfig } from './config.js';
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
  const server = new CloudServer(config, pino({ level: 'silent' }));
  // The constructor does no I/O: the app's routes are registered, nothing connects or listens.
  const app = server.app;
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
