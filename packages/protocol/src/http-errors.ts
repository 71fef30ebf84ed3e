import { type ErrorCode, errorStatus, isLockerError, LockerError } from './errors.js';

/**
 * The one mapping from what an HTTP framework throws to our codes, used by the cloud (/v1 and the
 * Dingo envelope) and the edge kiosk alike. Typed by shape, so this package still imports no
 * framework: fastify's errors and its plugins' errors all look like this.
 */
export interface FrameworkError {
  message: string;
  code?: string | undefined;
  statusCode?: number | undefined;
  /** Set by schema validation (ajv or the zod type provider): one entry per failed rule. */
  validation?: ReadonlyArray<{ instancePath?: string; message?: string | undefined }> | undefined;
}

/** The HTTP status a code answers with: the only place a status comes from. */
export function httpStatusFor(code: ErrorCode): number {
  return errorStatus[code];
}

/** Framework and plugin error codes (fastify core, @fastify/multipart) that are the client's fault. */
const FRAMEWORK_CODES: Readonly<Record<string, readonly [ErrorCode, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['BODY_TOO_LARGE', 'the request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'this content-type is not accepted here'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['VALIDATION_FAILED', 'content-length does not match the body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['VALIDATION_FAILED', 'the JSON body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['VALIDATION_FAILED', 'the request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'the content-type header is empty'],
  FST_ERR_CTP_INVALID_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'the content-type header is invalid'],
  FST_ERR_MAX_PARAM_LENGTH: ['VALIDATION_FAILED', 'a path parameter is too long to be a valid id'],
  FST_ERR_BAD_URL: ['VALIDATION_FAILED', 'the URL path is not validly encoded'],
  FST_REQ_FILE_TOO_LARGE: ['PHOTO_TOO_LARGE', 'an attached file is too large'],
  FST_PARTS_LIMIT: ['BODY_TOO_LARGE', 'the multipart body has too many parts'],
  FST_FILES_LIMIT: ['BODY_TOO_LARGE', 'the multipart body has too many files'],
  FST_FIELDS_LIMIT: ['BODY_TOO_LARGE', 'the multipart body has too many fields'],
  FST_PROTO_VIOLATION: ['VALIDATION_FAILED', 'a field name is not allowed'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'the request is not multipart'],
  FST_MP_PREMATURE_CLOSE: ['VALIDATION_FAILED', 'the multipart body ended early'],
};

/** Any other client error, by the status the framework gave it. */
const BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  404: 'NOT_FOUND',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

function validationMessage(validation: NonNullable<FrameworkError['validation']>): string {
  return validation
    .slice(0, 5)
    .map((v) => `${v.instancePath || '(root)'} ${v.message ?? 'is invalid'}`)
    .join('; ');
}

/**
 * A thrown value as a coded error: a LockerError as it is, a framework error by its code (or, for
 * one we do not know, by its 4xx status). `undefined` means it is not the client's fault: the
 * caller logs it whole and answers a bare INTERNAL.
 * Messages of framework errors are our own, so a framework's wording (which may echo the request
 * or name internals) never reaches a client.
 */
export function errorFromFramework(err: unknown): LockerError | undefined {
  if (isLockerError(err)) return err;
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as FrameworkError;
  if (Array.isArray(e.validation) && e.validation.length > 0) {
    return new LockerError('VALIDATION_FAILED', validationMessage(e.validation));
  }
  const known = typeof e.code === 'string' ? FRAMEWORK_CODES[e.code] : undefined;
  if (known) return new LockerError(known[0], known[1]);
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  return new LockerError(BY_STATUS[status] ?? 'VALIDATION_FAILED', 'the request is not acceptable here');
}
