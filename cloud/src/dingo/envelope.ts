import { type ErrorCode, errorFromFramework, type LockerError } from '@locker/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The Dingo response envelope (document appendix B): header `STATUS` is SUCCESS or FAILED, header
 * `CONTEXT-WHERE` says where the context is (always BODY here), and the body is the context: text,
 * JSON, image bytes, or on failure the reason code. The document allows upper-case letters and digits
 * only, so a /v1 code loses its underscores (`LOGIN_FAILED` -> `LOGINFAILED`); see `dingoReason`.
 */
export const DingoEnvelope = {
  success(reply: FastifyReply, context: string | object | Buffer | null, contentType?: string): FastifyReply {
    reply.header('STATUS', 'SUCCESS').header('CONTEXT-WHERE', 'BODY');
    if (context === null) return reply.type('text/plain; charset=utf-8').send('');
    if (Buffer.isBuffer(context)) return reply.type(contentType ?? 'application/octet-stream').send(context);
    if (typeof context === 'string') return reply.type('text/plain; charset=utf-8').send(context);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(context));
  },

  failure(reply: FastifyReply, code: ErrorCode, status: number): FastifyReply {
    return reply
      .status(status)
      .header('STATUS', 'FAILED')
      .header('CONTEXT-WHERE', 'BODY')
      .type('text/plain; charset=utf-8')
      .send(dingoReason(code));
  },
};

/** A /v1 error code as a Dingo reason code: upper-case letters and digits, as appendix B requires. */
export function dingoReason(code: ErrorCode): string {
  return code.replaceAll('_', '');
}

/** A coded error as the Dingo failure envelope; `Retry-After` when the error says when to retry. */
function sendFailure(reply: FastifyReply, error: LockerError, failuresAsHttp200: boolean): FastifyReply {
  const retry = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
  if (retry) reply.header('retry-after', String(retry));
  return DingoEnvelope.failure(reply, error.code, failuresAsHttp200 ? 200 : error.httpStatus);
}

/**
 * The Dingo scope's own error and not-found handlers, so its clients always get the envelope and
 * never the /v1 `{error:{...}}` body. Errors are mapped by the same `errorFromFramework` as /v1.
 * With `failuresAsHttp200` failures are HTTP 200 like in 2016.
 */
export function installDingoErrorHandling(
  app: FastifyInstance,
  opts: { failuresAsHttp200: boolean; prefix: string },
) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = errorFromFramework(error);
    if (!known) {
      request.log.error({ err: error }, 'dingo request failed');
      return DingoEnvelope.failure(reply, 'INTERNAL', opts.failuresAsHttp200 ? 200 : 500);
    }
    if (known.httpStatus < 500) {
      request.log.info({ code: known.code, status: known.httpStatus }, 'dingo request refused');
    }
    return sendFailure(reply, known, opts.failuresAsHttp200);
  });
  // One not-found handler per prefix; with an empty prefix the app-wide one stays in charge.
  if (opts.prefix !== '') {
    app.setNotFoundHandler((_request, reply) =>
      DingoEnvelope.failure(reply, 'NOT_FOUND', opts.failuresAsHttp200 ? 200 : 404),
    );
  }
}

/**
 * For the app's `frameworkErrors`: the Dingo envelope for requests under the Dingo prefix, which
 * fail while routing, before the scope's error handler is chosen. With an empty prefix the Dingo
 * routes share the root with /v1 and its shape is kept.
 */
export function dingoRoutingAnswer(opts: { enabled: boolean; prefix: string; failuresAsHttp200: boolean }) {
  return (request: FastifyRequest) => {
    if (!opts.enabled || opts.prefix === '') return undefined;
    const path = request.url.split('?')[0] ?? '';
    if (path !== opts.prefix && !path.startsWith(`${opts.prefix}/`)) return undefined;
    return (reply: FastifyReply, error: LockerError) => sendFailure(reply, error, opts.failuresAsHttp200);
  };
}
