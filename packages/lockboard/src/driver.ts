import { setTimeout as sleep } from 'node:timers/promises';
import { isLockerError, LockerError } from '@locker/protocol';
import { LockBus, Priority } from './bus/lock-bus.js';
import type { BoardCodec, BoardReply, BoardRequest } from './codecs/codec.js';
import { createCodec } from './codecs/index.js';
import { type Logger, silentLogger } from './logger.js';
import { DoorMonitor } from './monitor/door-monitor.js';
import {
  type BusSettings,
  type BusSettingsInput,
  boardSettings,
  familyInfo,
  parseBusSettings,
  type ResolvedPolarity,
  resolveBaud,
  resolvePolarity,
  SIM_PORT,
} from './settings.js';
import { BoardSimulator } from './simulator/board-simulator.js';
import { SimulatorBinding } from './simulator/simulator-binding.js';
import type { BindingInterface } from './transport/binding-types.js';
import { type ByteTransport, SerialTransport } from './transport/serial-transport.js';
import { TypedEmitter } from './typed-emitter.js';
import type { LockAddress, LockReading, UnlockResult } from './types.js';

/** `up`: serving; `down`: the port was lost and is being reopened; `stopped`: not started or stopped. */
export type BusState = 'up' | 'down' | 'stopped';

export interface BusStateEvent {
  state: BusState;
  /** Why it went down (the port's error), when known. */
  reason?: string;
}

export interface DriverEvents {
  bus: BusStateEvent;
}

export interface DriverOptions {
  logger?: Logger;
  /** The simulator behind a 'sim:' port; one is made from the settings when omitted. */
  simulator?: BoardSimulator;
  /** A serialport binding to open `settings.port` with (binding-mock in tests); the platform one otherwise. */
  binding?: BindingInterface;
  /** Bypasses serialport entirely (for unusual links). */
  transport?: ByteTransport;
}

/**
 * The one object the edge talks to for a serial bus of lock boards. Construction does no I/O; start()
 * opens the port and starts the door monitor.
 */
export class LockBoardDriver extends TypedEmitter<DriverEvents> {
  readonly settings: BusSettings;
  readonly monitor: DoorMonitor;
  readonly simulator: BoardSimulator | undefined;
  private readonly codec: BoardCodec;
  private readonly polarity: ResolvedPolarity;
  private readonly log: Logger;
  private readonly transport: ByteTransport;
  private bus: LockBus | undefined;
  private state: BusState = 'stopped';
  private downSince: number | undefined;
  private reconnects = 0;
  private reconnecting: Promise<void> | undefined;
  private abort: AbortController | undefined;

  constructor(
    settings: BusSettingsInput,
    private readonly options: DriverOptions = {},
  ) {
    super();
    this.settings = parseBusSettings(settings);
    const s = this.settings;
    this.log = options.logger ?? silentLogger;
    this.polarity = resolvePolarity(s);
    this.codec = createCodec(s.family, {
      feedback: s.feedback,
      ...(s.statusBytes === undefined ? {} : { statusBytes: s.statusBytes }),
      locksByBoard: new Map(s.boards.map((b) => [b.address, b.locks])),
    });
    const isSim = s.port === SIM_PORT;
    this.simulator = options.simulator ?? (isSim ? this.makeSimulator() : undefined);
    this.transport = options.transport ?? this.makeTransport(isSim);
    this.monitor = new DoorMonitor({
      boards: s.boards.map((b) => b.address),
      pollIntervalMs: s.pollIntervalMs,
      unreachableAfter: s.unreachableAfter,
      probeIntervalMs: s.probeIntervalMs,
      poll: (board) => this.readBoardAt(board, Priority.poll),
      logger: this.log,
    });
  }

  private makeSimulator(): BoardSimulator {
    const s = this.settings;
    return new BoardSimulator({
      family: s.family,
      boards: s.boards,
      feedback: s.feedback,
      polarity: { occupancy: this.polarity.occupancy },
      replyDelayMs: s.simulator.replyDelayMs,
      ...(s.simulator.emulateTiming ? { emulateBaud: resolveBaud(s) } : {}),
      ...(s.simulator.statusBytes === undefined ? {} : { statusBytes: s.simulator.statusBytes }),
    });
  }

  private makeTransport(isSim: boolean): ByteTransport {
    const baudRate = resolveBaud(this.settings);
    const path = this.settings.port;
    if (this.options.binding) return new SerialTransport({ path, baudRate, binding: this.options.binding });
    if (isSim && this.simulator) {
      return new SerialTransport({ path, baudRate, binding: new SimulatorBinding(this.simulator, path) });
    }
    return new SerialTransport({ path, baudRate });
  }

  get stats() {
    return this.bus ? { ...this.bus.stats, decoder: { ...this.bus.decoderStats } } : undefined;
  }

  get busState(): BusState {
    return this.state;
  }

  /** The bus's health for /health and /metrics. */
  get health(): { state: BusState; downSince: string | null; reconnects: number; unreachable: number[] } {
    return {
      state: this.state,
      downSince: this.downSince === undefined ? null : new Date(this.downSince).toISOString(),
      reconnects: this.reconnects,
      unreachable: this.settings.boards.map((b) => b.address).filter((a) => !this.monitor.isReachable(a)),
    };
  }

  /**
   * Opens the port and starts the door monitor. A tool (the CLI) wants a missing port to fail at once;
   * a cabinet (`waitForPort`) starts anyway with the bus down, and reopens it with backoff, so a
   * daemon booted before its USB adapter is plugged in serves as soon as the port appears.
   */
  async start(opts: { waitForPort?: boolean } = {}): Promise<void> {
    if (this.bus) return;
    const bus = new LockBus(this.codec, this.transport, this.settings.timeouts, this.log);
    let missing: Error | undefined;
    try {
      await bus.start();
    } catch (err) {
      const error = new LockerError(
        'BUS_CLOSED',
        `cannot open ${this.settings.port}: ${(err as Error).message}`,
      );
      if (!opts.waitForPort) throw error;
      missing = error;
    }
    this.bus = bus;
    this.abort = new AbortController();
    bus.onDown((err) => this.lost(bus, err));
    if (missing) {
      this.log.warn(
        { port: this.settings.port, err: missing.message },
        'serial port missing at start; reopening',
      );
      this.lost(bus, missing);
    } else {
      this.setState('up');
      this.log.info({ port: this.settings.port, family: this.settings.family }, 'lock bus started');
    }
    this.monitor.start();
  }

  /**
   * The port was lost: every request fails with BUS_DOWN at once, and the same path is reopened with
   * backoff. Once open, every board is read (the monitor reports what changed meanwhile) before unlocks
   * are taken again.
   */
  private lost(bus: LockBus, err: Error | undefined): void {
    if (this.bus !== bus || this.reconnecting) return;
    this.downSince = Date.now();
    this.setState('down', err?.message ?? 'serial port closed');
    const signal = (this.abort as AbortController).signal;
    this.reconnecting = this.reopen(bus, signal).finally(() => {
      this.reconnecting = undefined;
    });
  }

  private async reopen(bus: LockBus, signal: AbortSignal): Promise<void> {
    const { initialMs, maxMs } = this.settings.reconnect;
    let wait = initialMs;
    // A port lost again while the boards are being read sends us round again (lost() ignores it meanwhile).
    for (let attempt = 1; ; attempt++) {
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        return;
      }
      try {
        await bus.start();
      } catch (e) {
        this.log.warn({ attempt, err: (e as Error).message, retryInMs: wait }, 'serial port still down');
        wait = Math.min(wait * 2, maxMs);
        continue;
      }
      if (signal.aborted) return;
      this.reconnects++;
      this.log.info({ port: this.settings.port, reconnects: this.reconnects }, 'serial port reopened');
      for (const b of this.settings.boards) {
        try {
          await this.readBoardAt(b.address, Priority.read);
        } catch (e) {
          this.log.warn({ board: b.address, err: (e as Error).message }, 'board not read after reopening');
        }
      }
      if (signal.aborted) return;
      if (bus.isOpen) break;
      wait = initialMs;
    }
    this.downSince = undefined;
    this.setState('up');
  }

  private setState(state: BusState, reason?: string): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('bus', reason === undefined ? { state } : { state, reason });
  }

  async stop(): Promise<void> {
    const bus = this.bus;
    this.bus = undefined;
    this.abort?.abort();
    await this.reconnecting;
    this.state = 'stopped';
    // The monitor may be waiting on a queued poll: fail the queue first, so nothing waits out a timeout.
    const monitorStopped = this.monitor.stop();
    try {
      await bus?.stop();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'closing the serial port failed');
    }
    await monitorStopped;
    this.simulator?.stop();
  }

  /**
   * Pulses one lock and reports whether the door sensor then shows it open. The unlock is never resent
   * blindly: after a lost reply the lock is read first, and only a door still shut gets a second pulse.
   */
  async unlock(addr: LockAddress): Promise<UnlockResult> {
    this.checkLock(addr);
    const { board, lock } = addr;
    this.assertUp();
    this.assertReachable(board);
    const req: BoardRequest = { op: 'unlock', board, lock };
    this.monitor.noteCommanded(board, lock);
    let reply: BoardReply;
    try {
      reply = await this.send(req, Priority.unlock, this.settings.timeouts.unlockMs);
    } catch (err) {
      if (!isLockerError(err) || (err.code !== 'LOCK_TIMEOUT' && err.code !== 'BAD_FRAME')) throw err;
      this.log.warn({ board, lock, code: err.code }, 'unlock reply lost; reading the lock before any retry');
      let seen: LockReading;
      try {
        seen = await this.readLock(addr, Priority.unlock);
      } catch (readErr) {
        // Name the frame the caller sent: the unlock got no answer (the read after it failed too).
        const code = isLockerError(readErr) ? readErr.code : err.code;
        throw new LockerError(
          code,
          `board ${board} lock ${lock}: unlock got no answer (${err.code}), and the lock could not be read after it`,
          { op: 'unlock', board, lock },
        );
      }
      if (seen.door === 'open') return { board, lock, confirmed: true, door: 'open' };
      reply = await this.send(req, Priority.unlock, this.settings.timeouts.unlockMs);
    }
    const fromReply = this.readingsFromReply(reply).find((r) => r.lock === lock);
    if (fromReply?.door === 'open') return { board, lock, confirmed: true, door: 'open' };
    // The spring may need a moment; look again before calling it a failure.
    await sleep(this.settings.timeouts.confirmMs);
    try {
      const seen = await this.readLock(addr, Priority.unlock);
      if (seen.door !== 'open') this.monitor.clearCommanded(board, lock);
      return { board, lock, confirmed: seen.door === 'open', door: seen.door };
    } catch (err) {
      this.log.warn(
        { board, lock, err: (err as Error).message },
        'unlock sent but the door could not be read',
      );
      return { board, lock, confirmed: false, door: 'unknown' };
    }
  }

  /** Pulses every lock of a board (service use). */
  async unlockAll(board: number): Promise<void> {
    boardSettings(this.settings, board);
    this.assertUp();
    this.assertReachable(board);
    await this.send({ op: 'unlock-all', board }, Priority.unlock, this.settings.timeouts.unlockMs);
  }

  /** Pulses several locks of one board with one frame (xor8a), or one after another (Kerong). */
  async multiOpen(board: number, locks: number[]): Promise<void> {
    for (const lock of locks) this.checkLock({ board, lock });
    this.assertUp();
    this.assertReachable(board);
    if (this.settings.family !== 'xor8a') {
      for (const lock of locks) await this.unlock({ board, lock });
      return;
    }
    for (const lock of locks) this.monitor.noteCommanded(board, lock);
    await this.send({ op: 'multi-open', board, locks }, Priority.unlock, this.settings.timeouts.unlockMs);
  }

  readBoard(board: number): Promise<LockReading[]> {
    return this.readBoardAt(board, Priority.read);
  }

  async readAll(): Promise<LockReading[]> {
    const out: LockReading[] = [];
    for (const b of this.settings.boards) out.push(...(await this.readBoard(b.address)));
    return out;
  }

  /** One lock: a single-lock query where the family has one, else the board. */
  async readLock(addr: LockAddress, priority: Priority = Priority.read): Promise<LockReading> {
    this.checkLock(addr);
    const readings = familyInfo(this.settings.family).hasQueryOne
      ? this.readingsFromReply(
          await this.send({ op: 'query-one', ...addr }, priority, this.settings.timeouts.statusMs),
        )
      : await this.readBoardAt(addr.board, priority);
    const r = readings.find((x) => x.lock === addr.lock);
    if (!r) throw new LockerError('BAD_FRAME', `board ${addr.board} did not report lock ${addr.lock}`);
    return r;
  }

  private async readBoardAt(board: number, priority: Priority): Promise<LockReading[]> {
    const { locks } = boardSettings(this.settings, board);
    const reply = await this.send({ op: 'query-all', board }, priority, this.settings.timeouts.statusMs);
    const readings = this.readingsFromReply(reply);
    if (readings.length < locks) {
      throw new LockerError('BAD_FRAME', `board ${board} reported ${readings.length} of ${locks} locks`, {
        board,
      });
    }
    return readings;
  }

  /** Sends through the bus, feeds every answer to the monitor, and records reachability. */
  private async send(req: BoardRequest, priority: Priority, timeoutMs: number): Promise<BoardReply> {
    const bus = this.bus;
    if (!bus) throw new LockerError('BUS_CLOSED', 'lock bus is not started');
    try {
      const reply = await bus.request(req, priority, timeoutMs);
      this.monitor.recordOutcome(req.board);
      this.monitor.observe(this.readingsFromReply(reply));
      return reply;
    } catch (err) {
      this.monitor.recordOutcome(req.board, err);
      throw err;
    }
  }

  /** Applies the configured occupancy polarity (doors come mapped by the codec); configured locks only. */
  private readingsFromReply(reply: BoardReply): LockReading[] {
    const b = this.settings.boards.find((x) => x.address === reply.board);
    if (!b) return [];
    const occWhenSet = this.polarity.occupancy === 'occupied_when_set';
    const door = (open: boolean): 'open' | 'closed' => (open ? 'open' : 'closed');
    switch (reply.kind) {
      case 'unlock-ack':
      case 'lock-status':
        if (reply.lock < 1 || reply.lock > b.locks) return [];
        return [{ board: reply.board, lock: reply.lock, door: door(reply.doorOpen), occupied: null }];
      case 'board-status': {
        const out: LockReading[] = [];
        for (let i = 0; i < b.locks && i < reply.doorsOpen.length; i++) {
          const ir = reply.irBits?.[i];
          out.push({
            board: reply.board,
            lock: i + 1,
            door: door(reply.doorsOpen[i] === true),
            occupied: ir === undefined ? null : ir === occWhenSet,
          });
        }
        return out;
      }
      default:
        return [];
    }
  }

  /** No unlock while the port is down or being reconciled after it came back (ADR 0008). */
  private assertUp(): void {
    if (this.state === 'down') {
      throw new LockerError('BUS_DOWN', `serial port ${this.settings.port} is down; no unlock sent`);
    }
  }

  /** A board that stopped answering gets no unlock frames, only the monitor's probes (ADR 0008). */
  private assertReachable(board: number): void {
    if (!this.monitor.isReachable(board)) {
      throw new LockerError('BOARD_UNREACHABLE', `board ${board} does not answer; no unlock sent`, { board });
    }
  }

  private checkLock(addr: LockAddress): void {
    const b = boardSettings(this.settings, addr.board);
    if (!Number.isInteger(addr.lock) || addr.lock < 1 || addr.lock > b.locks) {
      throw new LockerError(
        'VALIDATION_FAILED',
        `board ${addr.board} has locks 1..${b.locks}, not ${addr.lock}`,
        addr,
      );
    }
  }
}
