import { performance } from 'node:perf_hooks';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { isLockerError } from '@locker/protocol';
import { type Logger, silentLogger } from '../logger.js';
import { TypedEmitter } from '../typed-emitter.js';
import type { LockReading } from '../types.js';

export interface DoorEvent {
  board: number;
  lock: number;
  door: 'open' | 'closed';
  previous: 'open' | 'closed';
  /** On an open: whether we had asked for it. An open nobody commanded is a forced door. */
  commanded: boolean;
}

export interface OccupancyEvent {
  board: number;
  lock: number;
  occupied: boolean;
  previous: boolean;
}

export interface BoardEvent {
  board: number;
  reachable: boolean;
}

export interface DoorMonitorEvents {
  door: DoorEvent;
  occupancy: OccupancyEvent;
  board: BoardEvent;
}

export interface DoorMonitorOptions {
  boards: number[];
  pollIntervalMs: number;
  unreachableAfter: number;
  /** An unreachable board is probed no more often than this (default 1000 ms). */
  probeIntervalMs?: number;
  /** How long an unlock counts as the reason for the next opening of that door. */
  commandWindowMs?: number;
  /** Reads one board at poll priority; the reading comes back through observe(). */
  poll: (board: number) => Promise<unknown>;
  logger?: Logger;
}

const key = (board: number, lock: number): string => `${board}:${lock}`;

/**
 * Keeps the last known state of every lock and emits only changes. Every reading the driver takes (polls,
 * unlock confirmations, explicit reads) passes through observe(), so a change is reported exactly once
 * whoever saw it first. The first reading of a lock is its baseline and emits nothing.
 */
export class DoorMonitor extends TypedEmitter<DoorMonitorEvents> {
  private readonly doors = new Map<string, LockReading>();
  private readonly commanded = new Map<string, number>();
  private readonly failures = new Map<number, number>();
  private readonly unreachable = new Set<number>();
  private readonly probedAt = new Map<number, number>();
  private readonly log: Logger;
  private running = false;
  private loop: Promise<void> | undefined;
  private abort: AbortController | undefined;

  constructor(private readonly options: DoorMonitorOptions) {
    super();
    this.log = options.logger ?? silentLogger;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running || this.options.pollIntervalMs <= 0) return;
    this.running = true;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** The last state seen of every lock. */
  snapshot(): LockReading[] {
    return [...this.doors.values()].map((r) => ({ ...r }));
  }

  isReachable(board: number): boolean {
    return !this.unreachable.has(board);
  }

  /** The driver is about to unlock this door: its next opening is not a forced one. */
  noteCommanded(board: number, lock: number): void {
    this.commanded.set(key(board, lock), Date.now() + (this.options.commandWindowMs ?? 30_000));
  }

  clearCommanded(board: number, lock: number): void {
    this.commanded.delete(key(board, lock));
  }

  observe(readings: readonly LockReading[]): void {
    for (const r of readings) this.observeOne(r);
  }

  /** Counts timeouts toward "unreachable"; any reply, even a garbled one, proves the board is there. */
  recordOutcome(board: number, error?: unknown): void {
    if (error !== undefined && isLockerError(error) && error.code === 'LOCK_TIMEOUT') {
      const n = (this.failures.get(board) ?? 0) + 1;
      this.failures.set(board, n);
      if (n >= this.options.unreachableAfter && !this.unreachable.has(board)) {
        this.unreachable.add(board);
        this.log.warn({ board, timeouts: n }, 'lock board unreachable');
        this.emit('board', { board, reachable: false });
      }
      return;
    }
    if (error !== undefined && !(isLockerError(error) && error.code === 'BAD_FRAME')) return;
    this.failures.set(board, 0);
    if (this.unreachable.delete(board)) {
      this.log.info({ board }, 'lock board reachable again');
      this.emit('board', { board, reachable: true });
    }
  }

  private observeOne(r: LockReading): void {
    const k = key(r.board, r.lock);
    const prev = this.doors.get(k);
    this.doors.set(k, { ...r });
    if (!prev) return;
    if (prev.door !== r.door) {
      let commanded = false;
      if (r.door === 'open') {
        const until = this.commanded.get(k);
        commanded = until !== undefined && until >= Date.now();
        this.commanded.delete(k);
      }
      this.emit('door', { board: r.board, lock: r.lock, door: r.door, previous: prev.door, commanded });
    }
    if (prev.occupied !== null && r.occupied !== null && prev.occupied !== r.occupied) {
      this.emit('occupancy', { board: r.board, lock: r.lock, occupied: r.occupied, previous: prev.occupied });
    }
  }

  /**
   * Scans every board, then waits out the rest of `pollIntervalMs` counted from the scan's start: the
   * interval is the shortest time between scan starts, so with the default (2 ms, shorter than any scan)
   * scans run back to back and a change is seen within about one scan's wire time.
   */
  private async run(signal: AbortSignal): Promise<void> {
    while (this.running) {
      const startedAt = performance.now();
      let busDown = false;
      let polled = 0;
      for (const board of this.options.boards) {
        if (!this.running) return;
        // A board that does not answer would hold the line for a whole timeout each scan: probe it seldom.
        if (this.unreachable.has(board)) {
          const last = this.probedAt.get(board) ?? 0;
          if (Date.now() - last < (this.options.probeIntervalMs ?? 1000)) continue;
          this.probedAt.set(board, Date.now());
        }
        polled++;
        try {
          await this.options.poll(board);
        } catch (err) {
          // Already counted by recordOutcome; a closed bus during stop() is expected.
          if (isLockerError(err) && err.code === 'BUS_DOWN') busDown = true;
          this.log.debug({ board, err: (err as Error).message }, 'poll failed');
        }
      }
      // While the port is being reopened polls fail at once, and a pass with nothing due moves no
      // bytes: neither may spin.
      const idle = busDown || polled === 0;
      const interval = idle ? Math.max(this.options.pollIntervalMs, 100) : this.options.pollIntervalMs;
      const rest = interval - (performance.now() - startedAt);
      try {
        if (rest > 0) await sleep(rest, undefined, { signal });
        else await setImmediate(undefined, { signal });
      } catch {
        return;
      }
    }
  }
}
