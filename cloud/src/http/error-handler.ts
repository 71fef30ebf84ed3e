import { type ErrorBody, errorStatus, isLockerError } from '@locker/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

/** Fastify's own error codes for malformed requests, mapped to ours. */
const FRAMEWORK_CODES: Record<string, keyof typeof errorStatus> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
  FST_ERR_RATE_LIMIT: 'RATE_LIMITED',
};

/**
 * The one place where errors become HTTP answers: `{ error: { code, message } }` with the status
 * the code maps to. Unexpected errors are logged whole and answered with a bare INTERNAL.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let status: number;
    let body: ErrorBody;
    if (isLockerError(error)) {
      status = error.httpStatus;
      body = error.toBody();
    } else if (hasZodFastifySchemaValidationErrors(error)) {
      status = 400;
      body = {
        code: 'VALIDATION_FAILED',
        message: error.validation
          .slice(0, 5)
          .map((v) => `${v.instancePath || '(root)'} ${v.message ?? 'is invalid'}`)
          .join('; '),
      };
    } else if (error.code && FRAMEWORK_CODES[error.code]) {
      const code = FRAMEWORK_CODES[error.code] as keyof typeof errorStatus;
      status =
        error.statusCode && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : errorStatus[code];
      body = { code, message: error.message };
    } else if (error.statusCode === 429) {
      status = 429;
      body = { code: 'RATE_LIMITED', message: 'too many requests, try again later' };
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode;
      body = { code: 'VALIDATION_FAILED', message: error.message };
    } else {
      request.log.error({ err: error }, 'request failed');
      status = 500;
      body = { code: 'INTERNAL', message: 'internal error' };
    }
    if (status < 500) request.log.info({ code: body.code, status }, 'request refused');
    void reply.status(status).send({ error: body });
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    });
  });
}
