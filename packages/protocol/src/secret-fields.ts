/**
 * The one list of field names that hold a secret, for the logs of edge and cloud alike. Secret fields
 * carry unambiguous names (`pickupCode`, `courierPin`, `accessCode`, never a bare `code`), so an error's
 * `code` such as LOCK_TIMEOUT stays readable while every secret is redacted.
 */
export const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'secret',
  'token',
  'pash',
  'pickupCode',
  'pickupToken',
  'accessCode',
  'grantToken',
  'courierPin',
  'pin',
  'credential',
  'sealKey',
  'codeKey',
  'prcId',
  'prcid',
] as const;

export type SecretField = (typeof SECRET_FIELDS)[number];

/** pino redact paths for every secret field at the top level and nested one or two objects deep. */
export function secretRedactPaths(extra: readonly string[] = []): string[] {
  return [...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]), ...extra];
}
