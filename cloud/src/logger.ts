import pino, { type Logger } from 'pino';

/** Paths that may hold a secret anywhere in a log record; pino replaces their values. */
export const redactPaths = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'pash',
  '*.pash',
  'pickupCode',
  '*.pickupCode',
  'accessCode',
  '*.accessCode',
  'req.headers.authorization',
  'req.headers["tmp-token"]',
  'req.headers["time-stamp"]',
  'headers.authorization',
  'headers["tmp-token"]',
  // @fastify/multipart logs the request headers it hands to busboy (at trace level).
  'busboyOptions.headers.authorization',
  'busboyOptions.headers["tmp-token"]',
  'busboyOptions.headers.cookie',
  'currentPassword',
  '*.currentPassword',
  'newPassword',
  '*.newPassword',
  'sealKey',
  '*.sealKey',
  'prcId',
  '*.prcId',
  'prcid',
  '*.prcid',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { svc: 'cloud' }, redact: { paths: redactPaths, censor: '[redacted]' } },
    destination,
  );
}

export type { Logger };
