import { type ErrorBody, errorFromFramework, type LockerError } from '@locker/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const INTERNAL: ErrorBody = { code: 'INTERNAL', message: 'internal error' };

/** Sends a coded error as `{ error: { code, message } }` with the status its code maps to. */
export function sendErrorBody(reply: FastifyReply, error: LockerError): FastifyReply {
  const retry = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
  if (retry) reply.header('retry-after', String(retry));
  return reply.status(error.httpStatus).send({ error: error.toBody() });
}

/**
 * The one place where /v1 errors become HTTP answers, through the mapping of @locker/protocol that
 * the kiosk uses too. Unexpected errors are logged whole and answered with a bare INTERNAL.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = errorFromFramework(error);
    if (!known) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send({ error: INTERNAL });
    }
    if (known.httpStatus < 500)
      request.log.info({ code: known.code, status: known.httpStatus }, 'request refused');
    return sendErrorBody(reply, known);
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    });
  });
}

/**
 * Fastify's `frameworkErrors` option: errors raised while routing (an overlong path parameter, a
 * badly encoded path), before any route or error handler is chosen. Without it fastify answers in
 * its own shape (`FST_ERR_MAX_PARAM_LENGTH`, 414). `answerAs` picks the envelope by the URL, so the
 * Dingo scope gets its own.
 */
export function frameworkErrorHandler(
  answerAs: (
    request: FastifyRequest,
  ) => ((reply: FastifyReply, error: LockerError) => FastifyReply) | undefined,
) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const known = errorFromFramework(error);
    if (!known) {
      request.log.error({ err: error }, 'request failed while routing');
      void reply.status(500).send({ error: INTERNAL });
      return;
    }
    request.log.info({ code: known.code, status: known.httpStatus }, 'request refused while routing');
    void (answerAs(request) ?? sendErrorBody)(reply, known);
  };
}
