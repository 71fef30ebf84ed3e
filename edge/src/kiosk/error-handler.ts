import { errorFromFramework } from '@locker/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/**
 * One place maps errors to HTTP: `{error: {code, message}}`, through the mapping of
 * @locker/protocol that the cloud uses too; a 5xx never carries internals.
 */
export function installErrorHandler(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const known = errorFromFramework(err);
    if (!known) {
      logger.error({ err, url: req.url }, 'kiosk request failed');
      return reply
        .code(500)
        .send({ error: { code: 'INTERNAL', message: 'Something went wrong. Please try again.' } });
    }
    if (known.httpStatus >= 500) logger.warn({ code: known.code, url: req.url }, known.message);
    return reply.code(known.httpStatus).send({ error: known.toBody() });
  });
  app.setNotFoundHandler((req, reply) => {
    reply
      .code(404)
      .send({ error: { code: 'NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0]}` } });
  });
}
