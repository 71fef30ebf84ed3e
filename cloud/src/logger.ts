import { secretRedactPaths } from '@locker/protocol';
import pino, { type Logger } from 'pino';

/**
 * Paths that may hold a secret anywhere in a log record; pino replaces their values. The field names are
 * the list shared with the edge (packages/protocol); the header paths are the cloud's own.
 */
export const redactPaths = secretRedactPaths([
  'req.headers.authorization',
  'req.headers["tmp-token"]',
  'req.headers["time-stamp"]',
  'headers.authorization',
  'headers["tmp-token"]',
  // @fastify/multipart logs the request headers it hands to busboy (at trace level).
  'busboyOptions.headers.authorization',
  'busboyOptions.headers["tmp-token"]',
  'busboyOptions.headers.cookie',
]);

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { svc: 'cloud' }, redact: { paths: redactPaths, censor: '[redacted]' } },
    destination,
  );
}

export type { Logger };
