import { type ErrorCode, isLockerError, LockerError } from '@locker/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** Fastify's own errors (body parsing, limits) mapped to our stable codes. */
function fromFastify(err: FastifyError): LockerError | undefined {
  const byStatus: Record<number, ErrorCode> = {
    400: 'VALIDATION_FAILED',
    413: 'BODY_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
  };
  const code = err.statusCode ? byStatus[err.statusCode] : undefined;
  if (!code) return undefined;
  const message =
    code === 'BODY_TOO_LARGE'
      ? 'The request body is too large.'
      : code === 'UNSUPPORTED_MEDIA_TYPE'
        ? 'Send JSON (content-type: application/json).'
        : 'The request body is not valid JSON.';
  return new LockerError(code, message);
}

/** One place maps errors to HTTP: `{error: {code, message}}`; a 5xx never carries internals. */
export function installErrorHandler(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const known = isLockerError(err) ? err : fromFastify(err);
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
