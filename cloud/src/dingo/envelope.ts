import { type ErrorCode, errorStatus, isLockerError } from '@locker/protocol';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

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

/** Framework and plugin error codes that reach the Dingo layer, as reason codes. */
const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_REQ_FILE_TOO_LARGE: 'PHOTO_TOO_LARGE',
  FST_ERR_RATE_LIMIT: 'RATE_LIMITED',
};

/**
 * The Dingo scope's own error and not-found handlers, so its clients always get the envelope and
 * never the /v1 `{error:{...}}` body. With `failuresAsHttp200` failures are HTTP 200 like in 2016.
 */
export function installDingoErrorHandling(
  app: FastifyInstance,
  opts: { failuresAsHttp200: boolean; prefix: string },
) {
  const statusOf = (status: number) => (opts.failuresAsHttp200 ? 200 : status);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let code: ErrorCode;
    let status: number;
    if (isLockerError(error)) {
      code = error.code;
      status = error.httpStatus;
      const retry = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (retry) reply.header('retry-after', String(retry));
    } else if (error.code && FRAMEWORK_CODES[error.code]) {
      code = FRAMEWORK_CODES[error.code] as ErrorCode;
      status = errorStatus[code];
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      code = 'VALIDATION_FAILED';
      status = 400;
    } else {
      request.log.error({ err: error }, 'dingo request failed');
      code = 'INTERNAL';
      status = 500;
    }
    if (status < 500) request.log.info({ code, status }, 'dingo request refused');
    return DingoEnvelope.failure(reply, code, statusOf(status));
  });
  // One not-found handler per prefix; with an empty prefix the app-wide one stays in charge.
  if (opts.prefix !== '') {
    app.setNotFoundHandler((_request, reply) => DingoEnvelope.failure(reply, 'NOT_FOUND', statusOf(404)));
  }
}
