import { LockerError, parseOrThrow } from '@locker/protocol';
import { z } from 'zod';
import type { FeedbackMode, OccupancyPolarity } from './codecs/codec.js';
import { kerongInfo } from './codecs/kerong.js';
import { xor8aInfo } from './codecs/xor8a.js';

export const SIM_PORT = 'sim:';
/** Default pause between monitor scans (bench: door-change p99 within 1.2x of one scan's wire time). */
export const POLL_INTERVAL_MS = 2;

export const BoardSettings = z.object({
  address: z.number().int().min(0).max(255),
  locks: z.number().int().min(1).max(64),
});

export const SimulatorSettings = z.object({
  /** Deliver replies no faster than the baud rate allows (for the bench and realism). */
  emulateTiming: z.boolean().default(false),
  /** xor8a: how many status bytes the simulated board puts in a query-all reply (real boards vary). */
  statusBytes: z.number().int().min(1).max(8).optional(),
  /** Milliseconds a simulated board thinks before answering. */
  replyDelayMs: z.number().int().min(0).max(10_000).default(0),
});

/** One serial bus: one port, one board family, the boards daisy-chained on it. */
export const BusSettings = z
  .object({
    family: z.enum(['xor8a', 'kerong']),
    port: z.string().min(1),
    baudRate: z.number().int().positive().optional(),
    boards: z.array(BoardSettings).min(1),
    /**
     * How the door sensors are wired: `closing` (the common wiring) or `opening`. The codec maps every
     * encoding of the board from this one setting (docs/serial.md, ADR 0008).
     */
    feedback: z.enum(['closing', 'opening']).default('closing'),
    polarity: z
      .object({
        /** Replaced by `feedback`: read only to refuse it with a clear message (see superRefine). */
        door: z.unknown().optional(),
        occupancy: z.enum(['occupied_when_set', 'occupied_when_clear']).optional(),
      })
      .default({}),
    timeouts: z
      .object({
        unlockMs: z.number().int().positive().default(1500),
        statusMs: z.number().int().positive().default(300),
        /** Quiet time required on the line after a timeout or a bad frame before the next request. */
        drainMs: z.number().int().positive().default(30),
        /** Silence after a partial or bad frame that ends the wait early (the fallback framing). */
        silenceMs: z.number().int().positive().default(60),
        /** Time a door gets to spring open before the confirming status read. */
        confirmMs: z.number().int().min(0).default(250),
      })
      .default({ unlockMs: 1500, statusMs: 300, drainMs: 30, silenceMs: 60, confirmMs: 250 }),
    /**
     * Shortest time between door-monitor scan starts; 0 turns the monitor off. The default is shorter
     * than any scan, so scans run back to back (a change is seen within about one scan plus one reply)
     * and unlocks still go first.
     */
    pollIntervalMs: z.number().int().min(0).default(POLL_INTERVAL_MS),
    /** Consecutive timeouts before a board is reported unreachable. */
    unreachableAfter: z.number().int().min(1).default(2),
    /** How often an unreachable board is probed (it gets no other frame until a probe succeeds). */
    probeIntervalMs: z.number().int().min(10).default(1000),
    /** Reopening a lost port: the first wait, doubled after each failed try up to the cap. */
    reconnect: z
      .object({
        initialMs: z.number().int().min(10).default(100),
        maxMs: z.number().int().min(10).default(5000),
      })
      .default({ initialMs: 100, maxMs: 5000 }),
    /** xor8a: a fixed count of status bytes in query-all replies, instead of framing by the trailer. */
    statusBytes: z.number().int().min(1).max(8).optional(),
    simulator: SimulatorSettings.default({ emulateTiming: false, replyDelayMs: 0 }),
  })
  .superRefine((s, ctx) => {
    if (s.polarity.door !== undefined) {
      // The old door polarity was applied to query-one and query-all alike, whose raw senses are opposite:
      // no value of it was right for both, so it is refused instead of guessed.
      ctx.addIssue({
        code: 'custom',
        path: ['polarity', 'door'],
        message:
          'polarity.door is no longer read: set "feedback": "closing" (common wiring) or "opening" instead (docs/serial.md)',
      });
    }
    const info = s.family === 'xor8a' ? xor8aInfo : kerongInfo;
    const seen = new Set<number>();
    s.boards.forEach((b, i) => {
      if (b.address < info.minAddress || b.address > info.maxAddress) {
        ctx.addIssue({
          code: 'custom',
          path: ['boards', i, 'address'],
          message: `${s.family} board addresses are ${info.minAddress}..${info.maxAddress}`,
        });
      }
      if (b.locks > info.maxLocks) {
        ctx.addIssue({
          code: 'custom',
          path: ['boards', i, 'locks'],
          message: `${s.family} boards have at most ${info.maxLocks} locks`,
        });
      }
      if (seen.has(b.address)) {
        ctx.addIssue({ code: 'custom', path: ['boards', i, 'address'], message: 'duplicate board address' });
      }
      seen.add(b.address);
    });
  });

export type BusSettings = z.infer<typeof BusSettings>;
export type BusSettingsInput = z.input<typeof BusSettings>;

export interface ResolvedPolarity {
  feedback: FeedbackMode;
  occupancy: OccupancyPolarity;
}

export function parseBusSettings(input: unknown): BusSettings {
  return parseOrThrow(BusSettings, input, 'CONFIG_INVALID', 'bus settings');
}

export function familyInfo(family: BusSettings['family']) {
  return family === 'xor8a' ? xor8aInfo : kerongInfo;
}

export function resolvePolarity(s: BusSettings): ResolvedPolarity {
  const d = familyInfo(s.family).defaultOccupancy;
  return { feedback: s.feedback, occupancy: s.polarity.occupancy ?? d };
}

export function resolveBaud(s: BusSettings): number {
  return s.baudRate ?? familyInfo(s.family).defaultBaud;
}

export function boardSettings(s: BusSettings, board: number): { address: number; locks: number } {
  const b = s.boards.find((x) => x.address === board);
  if (!b) throw new LockerError('NOT_FOUND', `board ${board} is not configured on this bus`, { board });
  return b;
}
