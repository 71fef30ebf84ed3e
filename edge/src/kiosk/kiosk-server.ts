import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { EdgeConfig } from '../config.js';

/** Listens with the kiosk app on the configured address (port 0 picks a free port, which is logged). */
export class KioskServer {
  private address: string | undefined;

  constructor(
    private readonly app: FastifyInstance,
    private readonly config: EdgeConfig['kiosk'],
    private readonly logger: Logger,
  ) {}

  get url(): string | undefined {
    return this.address;
  }

  async start(): Promise<void> {
    await this.app.listen({ host: this.config.host, port: this.config.port });
    const a = this.app.server.address();
    this.address =
      a && typeof a === 'object'
        ? `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`
        : undefined;
    this.logger.info({ url: this.address }, 'kiosk listening');
  }

  async stop(): Promise<void> {
    await this.app.close();
  }
}
