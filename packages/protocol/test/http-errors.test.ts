import { describe, expect, it } from 'vitest';
import { type ErrorCode, errorFromFramework, httpStatusFor, LockerError } from '../src/index.js';

const fastifyLike = (code: string | undefined, statusCode: number | undefined, message = 'framework words') =>
  Object.assign(new Error(message), { code, statusCode });

describe('errorFromFramework, the one mapping of framework errors', () => {
  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'BODY_TOO_LARGE', 413],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'UNSUPPORTED_MEDIA_TYPE', 415],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'VALIDATION_FAILED', 400],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'VALIDATION_FAILED', 400],
    ['FST_ERR_MAX_PARAM_LENGTH', 414, 'VALIDATION_FAILED', 400],
    ['FST_ERR_BAD_URL', 400, 'VALIDATION_FAILED', 400],
    ['FST_REQ_FILE_TOO_LARGE', 413, 'PHOTO_TOO_LARGE', 413],
    ['FST_FILES_LIMIT', 413, 'BODY_TOO_LARGE', 413],
    ['FST_INVALID_MULTIPART_CONTENT_TYPE', 406, 'UNSUPPORTED_MEDIA_TYPE', 415],
    ['FST_ERR_NOT_FOUND', 404, 'NOT_FOUND', 404],
    ['FST_SOMETHING_NEW', 400, 'VALIDATION_FAILED', 400],
    [undefined, 405, 'VALIDATION_FAILED', 400],
  ])('maps %s (HTTP %s) to %s, answered with %s', (code, status, expected, expectedStatus) => {
    const mapped = errorFromFramework(fastifyLike(code, status));
    expect(mapped?.code).toBe(expected);
    expect(mapped?.httpStatus).toBe(expectedStatus);
    // The status always follows the code, whatever status the framework chose.
    expect(httpStatusFor(expected as ErrorCode)).toBe(expectedStatus);
  });

  it('uses its own messages, never the framework wording that may echo the request', () => {
    const mapped = errorFromFramework(
      fastifyLike('FST_ERR_MAX_PARAM_LENGTH', 414, "'/v1/users/secret' is long"),
    );
    expect(mapped?.message).not.toContain('secret');
  });

  it('names the failed rules of a schema validation error', () => {
    const err = Object.assign(new Error('body/x bad'), {
      code: 'FST_ERR_VALIDATION',
      statusCode: 400,
      validation: [{ instancePath: '/name', message: 'too long' }],
    });
    expect(errorFromFramework(err)?.toBody()).toEqual({
      code: 'VALIDATION_FAILED',
      message: '/name too long',
    });
  });

  it('keeps a LockerError as it is', () => {
    const err = new LockerError('RATE_LIMITED', 'slow down', { retryAfterSeconds: 3 });
    expect(errorFromFramework(err)).toBe(err);
  });

  it('leaves server faults and non-errors unmapped, so the caller answers INTERNAL', () => {
    expect(errorFromFramework(new Error('db is down'))).toBeUndefined();
    expect(errorFromFramework(fastifyLike('FST_ERR_SOMETHING', 500))).toBeUndefined();
    expect(errorFromFramework('a string')).toBeUndefined();
    expect(errorFromFramework(null)).toBeUndefined();
  });
});
