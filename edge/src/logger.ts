import { secretRedactPaths } from '@locker/protocol';
import pino, { type Logger } from 'pino';

/** The shared secret-field list (packages/protocol); error codes (`code`) stay readable. */
export const redactPaths = secretRedactPaths();

export function createLogger(level: string, cabinetId: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { svc: 'edge', cabinetId }, redact: { paths: redactPaths, censor: '[redacted]' } },
    destination,
  );
}

export type { Logger };
