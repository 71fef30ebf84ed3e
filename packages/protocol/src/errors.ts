import { z } from 'zod';

/**
 * Every error that crosses a boundary carries one of these stable codes. The HTTP status is part of
 * the contract too, so the edge kiosk and the cloud map codes the same way.
 * Add a code here (with its status) rather than inventing one at a call site.
 */
export const errorStatus = {
  // input
  VALIDATION_FAILED: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CONFIG_INVALID: 400,
  PAYLOAD_INVALID: 400,
  ID_NUMBER_INVALID: 400,
  PHOTO_TOO_LARGE: 413,
  NOT_AN_IMAGE: 415,
  /** A text field held a control character (NUL, ESC, DEL, C1...); tab and line breaks are text. */
  TEXT_CONTROL_CHARACTER: 400,
  // identity
  UNAUTHORIZED: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  LOGIN_FAILED: 401,
  TIMESTAMP_OUT_OF_WINDOW: 401,
  HASH_REPLAYED: 401,
  PASSWORD_MISMATCH: 403,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  // things
  NOT_FOUND: 404,
  CABINET_NOT_FOUND: 404,
  BOX_NOT_FOUND: 404,
  /** No active alarm with this id at the cabinet (never raised, or already cleared). */
  ALARM_NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  BOX_NOT_AVAILABLE: 409,
  NO_BOX_AVAILABLE: 409,
  USER_NOT_FOUND: 404,
  ADDRESS_NOT_FOUND: 404,
  // parcels (issue 8): announcements, and the sealed pickup code (ADR 0013)
  PARCEL_NOT_FOUND: 404,
  WAYBILL_TAKEN: 409,
  SEALED_CODE_INVALID: 400,
  AVATAR_NOT_FOUND: 404,
  NAME_TAKEN: 409,
  TEL_TAKEN: 409,
  // cabinet and hardware
  CABINET_OFFLINE: 503,
  COMMAND_TIMEOUT: 504,
  COMMAND_EXPIRED: 410,
  UNKNOWN_COMMAND: 400,
  LOCK_TIMEOUT: 504,
  BOARD_UNREACHABLE: 503,
  BAD_FRAME: 502,
  OPEN_NOT_DETECTED: 502,
  BUS_CLOSED: 503,
  // issue 14: the serial bus is down (reopening), or the door sensors are not trusted (fail-safe)
  BUS_DOWN: 503,
  SENSOR_FAULT: 503,
  /** A grant's code was made under an access key the cabinet's config does not hold (ADR 0015). */
  ACCESS_KEY_MISSING: 503,
  /** An operator took the whole cabinet out of service: no new deposits (pickups still work). */
  CABINET_OUT_OF_SERVICE: 503,
  // cabinet kiosk (codes, credentials, flow sessions)
  CODE_INVALID: 401,
  CODE_USED: 410,
  CODE_EXPIRED: 410,
  CODE_LOCKED_OUT: 429,
  CREDENTIAL_INVALID: 401,
  CREDENTIAL_EXPIRED: 401,
  SESSION_NOT_FOUND: 404,
  SESSION_ACTIVE: 409,
  SESSION_CLOSED: 409,
  NOTHING_TO_RECOLLECT: 404,
  DESIRED_STALE: 409,
  // cabinet kiosk attempt limits (issue 13): the cabinet-wide rising delay between code tries
  CODE_ENTRY_SLOWED: 429,
  // tasks, collectors and the ledger (Dingo §2, issue 10)
  TASK_NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  NOT_A_PARTY: 403,
  TASK_STATE_INVALID: 409,
  TASK_ALREADY_PAID: 409,
  PRICE_NEGATIVE: 409,
  INSUFFICIENT_FUNDS: 402,
  IDEMPOTENCY_KEY_REUSED: 409,
  // sites, reservations, authorizations (the patent, issue 8)
  USER_DISABLED: 403,
  SITE_NOT_FOUND: 404,
  RESERVATION_NOT_FOUND: 404,
  RESERVATION_QUOTA_EXCEEDED: 409,
  RESERVATION_WINDOW_INVALID: 400,
  NOT_THE_HOLDER: 403,
  GRANTEE_UNKNOWN: 404,
  GRANTEE_DISABLED: 409,
  BOX_ALREADY_GRANTED: 409,
  GRANT_NOT_FOUND: 404,
  GRANT_EXPIRED: 410,
  GRANT_CLOSED: 409,
  // signed grant tokens, checked at the cabinet with no network (issue 9, ADR 0017)
  GRANT_TOKEN_INVALID: 401,
  GRANT_TOKEN_EXPIRED: 410,
  GRANT_TOKEN_WRONG_PLACE: 403,
  GRANT_TOKEN_REVOKED: 410,
  GRANT_TOKEN_USED: 410,
  /** The signing key does not open with this server's seal key: an admin rotates (ADR 0017). */
  GRANT_KEY_UNUSABLE: 503,
  // third-party authorizers (the patent's method 2, ADR 0016)
  AUTHORIZER_NOT_FOUND: 404,
  /** An admin disabled the authorizer: it is not offered, and its answers are refused. */
  AUTHORIZER_DISABLED: 409,
  AUTHORIZER_NUMBER_TAKEN: 409,
  /** The authorizer did not answer within the tries (dead letter); the box is unchanged. */
  AUTHORIZER_UNREACHABLE: 502,
  /** The authorizer answered with something the cloud cannot read. */
  AUTHORIZER_ANSWER_INVALID: 502,
  AUTHORIZATION_REQUEST_NOT_FOUND: 404,
  /** The box already has an open third-party request. */
  AUTHORIZATION_REQUEST_OPEN: 409,
  AUTHORIZATION_REQUEST_EXPIRED: 410,
  AUTHORIZATION_REQUEST_ANSWERED: 409,
  /** The answer names another site or box than the request. */
  ANSWER_MISMATCH: 409,
  /** A webhook's HMAC signature is missing or does not match the authorizer's secret. */
  SIGNATURE_INVALID: 401,
  /** The same signature was seen inside the timestamp window. */
  SIGNATURE_REPLAYED: 401,
  // everything else
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;
export const ErrorCode = z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]);

/** The wire shape of an error, in HTTP bodies and MQTT responses alike. */
export const ErrorBody = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  message: z.string().max(1000),
  details: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** An expected failure with a stable code; anything else thrown is a bug and maps to INTERNAL. */
export class LockerError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'LockerError';
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return errorStatus[this.code];
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isLockerError(e: unknown): e is LockerError {
  return e instanceof LockerError;
}

/** Turns zod issues into a short, field-naming message: `boxNo: box number: 2 to 4 digits`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Parses with a schema or throws a LockerError naming the bad fields. */
export function parseOrThrow<T>(
  schema: z.ZodType<T>,
  value: unknown,
  code: ErrorCode = 'VALIDATION_FAILED',
  what = 'input',
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new LockerError(code, `invalid ${what}: ${describeIssues(result.error)}`, {
    issues: result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}
