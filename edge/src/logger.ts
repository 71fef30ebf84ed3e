import pino, { type Logger } from 'pino';

const redactPaths = [
  'password',
  '*.password',
  'broker.password',
  'code',
  'pickupCode',
  '*.pickupCode',
  'credential',
  '*.credential',
  'token',
  '*.token',
];

export function createLogger(level: string, cabinetId: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { svc: 'edge', cabinetId }, redact: { paths: redactPaths, censor: '[redacted]' } },
    destination,
  );
}

export type { Logger };
