import { LockerError } from '@locker/protocol';
import type { BusSettingsInput } from '../settings.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Asks a yes/no question; resolves true only on an explicit yes. */
  confirm(question: string): Promise<boolean>;
  /** Resolves when the user asks to stop (Ctrl-C) — for long-running commands. */
  interrupted(): Promise<void>;
  /** Lines typed by the user (simulate's control console); may never yield. */
  lines(): AsyncIterable<string>;
}

export type Flags = Record<string, string | boolean | undefined>;

export const flagSpec = {
  port: { type: 'string', short: 'p' },
  family: { type: 'string', short: 'f' },
  baud: { type: 'string', short: 'b' },
  boards: { type: 'string' },
  board: { type: 'string' },
  lock: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  json: { type: 'boolean' },
  feedback: { type: 'string' },
  'occupancy-polarity': { type: 'string' },
  'status-bytes': { type: 'string' },
  'max-address': { type: 'string' },
  interval: { type: 'string' },
  'emulate-timing': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function int(flags: Flags, name: string): number | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n))
    throw new LockerError('VALIDATION_FAILED', `--${name} must be an integer, got "${v}"`);
  return n;
}

export function required(flags: Flags, name: string): string {
  const v = str(flags, name);
  if (v === undefined) throw new LockerError('VALIDATION_FAILED', `--${name} is required`);
  return v;
}

/** "1:16,2:8" -> boards 1 (16 locks) and 2 (8 locks). */
export function parseBoards(text: string): { address: number; locks: number }[] {
  return text.split(',').map((part) => {
    const [a, l] = part.split(':');
    const address = Number(a);
    const locks = Number(l ?? '16');
    if (!Number.isInteger(address) || !Number.isInteger(locks)) {
      throw new LockerError(
        'VALIDATION_FAILED',
        `--boards takes address:locks pairs like 1:16,2:8, got "${part}"`,
      );
    }
    return { address, locks };
  });
}

/** The bus settings the CLI flags describe (validated later by the driver). */
export function settingsFromFlags(
  flags: Flags,
  boards?: { address: number; locks: number }[],
): BusSettingsInput {
  const family = required(flags, 'family');
  if (family !== 'xor8a' && family !== 'kerong') {
    throw new LockerError('VALIDATION_FAILED', `--family is xor8a or kerong, got "${family}"`);
  }
  const feedback = str(flags, 'feedback');
  if (feedback !== undefined && feedback !== 'closing' && feedback !== 'opening') {
    throw new LockerError('VALIDATION_FAILED', `--feedback is closing or opening, got "${feedback}"`);
  }
  const occupancy = str(flags, 'occupancy-polarity');
  const baudRate = int(flags, 'baud');
  const statusBytes = int(flags, 'status-bytes');
  return {
    family,
    port: required(flags, 'port'),
    boards: boards ?? parseBoards(required(flags, 'boards')),
    pollIntervalMs: 0,
    ...(baudRate === undefined ? {} : { baudRate }),
    ...(statusBytes === undefined ? {} : { statusBytes }),
    ...(feedback === undefined ? {} : { feedback }),
    polarity: {
      ...(occupancy === undefined
        ? {}
        : { occupancy: occupancy as 'occupied_when_set' | 'occupied_when_clear' }),
    },
  };
}
