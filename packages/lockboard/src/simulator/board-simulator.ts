import { performance } from 'node:perf_hooks';
import {
  type BoardCodec,
  type BoardReply,
  type BoardRequest,
  type Family,
  type FeedbackMode,
  hex,
  type OccupancyPolarity,
  type RequestDecoder,
} from '../codecs/codec.js';
import { createCodec } from '../codecs/index.js';
import { familyInfo } from '../settings.js';
import { PreciseScheduler } from './precise-timer.js';

export interface SimulatorOptions {
  family: Family;
  boards: { address: number; locks: number }[];
  /** Deliver bytes no faster than this baud rate (10 bits a byte); omit for instant replies. */
  emulateBaud?: number;
  /** How the simulated cabinet's door sensors are wired (default `closing`, the common wiring). */
  feedback?: FeedbackMode;
  polarity?: { occupancy?: OccupancyPolarity };
  /** xor8a: status bytes in a query-all reply; real boards send 3 even with 8 locks. */
  statusBytes?: number;
  /** Milliseconds every board thinks before answering. */
  replyDelayMs?: number;
  /**
   * How many entries `frames` and `transmitted` keep at least (default 2000): the oldest half is dropped
   * once twice this many have piled up, so a long-running demo daemon polling its simulated boards does
   * not grow without bound. `onFrame` sees every frame.
   */
  logLimit?: number;
}

export interface SimLockState {
  door: 'open' | 'closed';
  occupied: boolean;
  jammed: boolean;
}

export interface LoggedFrame {
  /** performance.now() when the frame was decoded. */
  at: number;
  hex: string;
  request: BoardRequest;
}

interface SimBoard {
  address: number;
  locks: SimLockState[];
  silent: boolean;
  garbled: boolean;
  truncated: boolean;
  delayMs: number;
}

type Listener = (bytes: Buffer) => void;
type FrameListener = (frame: LoggedFrame) => void;

const DEFAULT_LOG_LIMIT = 2000;

/** Appends to a log, dropping the oldest `limit` entries once it holds `2 * limit` (amortised O(1)). */
function pushCapped<T>(log: T[], item: T, limit: number): void {
  log.push(item);
  if (log.length >= 2 * limit) log.splice(0, limit);
}

/**
 * A byte-level model of the boards on one bus: it decodes requests like the firmware would, keeps door and
 * occupancy state, and answers, optionally at the pace of the baud rate. Faults are switched on per board.
 * Doors spring open when unlocked and stay open until a test (or a person) closes them.
 */
export class BoardSimulator {
  readonly family: Family;
  private readonly codec: BoardCodec;
  private readonly decoder: RequestDecoder;
  private readonly boards = new Map<number, SimBoard>();
  private readonly listeners = new Set<Listener>();
  private readonly frameListeners = new Set<FrameListener>();
  private readonly logLimit: number;
  private readonly scheduler = new PreciseScheduler();
  private readonly byteMs: number;
  private readonly occSetWhenOccupied: boolean;
  private readonly statusBytes: number | undefined;
  private globalDelayMs: number;
  private rxFreeAt = 0;
  private txFreeAt = 0;
  /** The request frames received, in order (the latest `logLimit` at least), so tests can assert the bytes. */
  readonly frames: LoggedFrame[] = [];
  /** The byte strings transmitted, in order (the latest `logLimit` at least). */
  readonly transmitted: string[] = [];

  constructor(opts: SimulatorOptions) {
    this.family = opts.family;
    this.codec = createCodec(opts.family, { feedback: opts.feedback ?? 'closing' });
    this.decoder = this.codec.createRequestDecoder();
    this.byteMs = opts.emulateBaud ? 10_000 / opts.emulateBaud : 0;
    const occ = opts.polarity?.occupancy ?? familyInfo(opts.family).defaultOccupancy;
    this.occSetWhenOccupied = occ === 'occupied_when_set';
    this.statusBytes = opts.statusBytes ?? (opts.family === 'xor8a' ? 3 : undefined);
    this.globalDelayMs = opts.replyDelayMs ?? 0;
    this.logLimit = Math.max(1, opts.logLimit ?? DEFAULT_LOG_LIMIT);
    for (const b of opts.boards) {
      const locks = Array.from({ length: b.locks }, () => ({
        door: 'closed' as const,
        occupied: false,
        jammed: false,
      }));
      this.boards.set(b.address, {
        address: b.address,
        locks,
        silent: false,
        garbled: false,
        truncated: false,
        delayMs: 0,
      });
    }
  }

  /** Subscribe to the bytes the boards send; returns the unsubscribe function. */
  onTransmit(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Subscribe to every request frame as it is decoded; returns the unsubscribe function. */
  onFrame(listener: FrameListener): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  /** Bytes from the host arrive here, in any chunking. */
  receive(chunk: Uint8Array): void {
    const now = performance.now();
    this.rxFreeAt = Math.max(now, this.rxFreeAt) + chunk.length * this.byteMs;
    for (const req of this.decoder.push(chunk)) {
      const frame: LoggedFrame = { at: now, hex: hex(this.codec.encodeRequest(req)), request: req };
      pushCapped(this.frames, frame, this.logLimit);
      for (const l of this.frameListeners) l(frame);
      // A board reads its inputs once the whole request is through, not when the host starts sending.
      const receivedAt = this.rxFreeAt;
      if (this.byteMs > 0) this.scheduler.at(receivedAt, () => this.answer(req, receivedAt));
      else this.answer(req, receivedAt);
    }
  }

  get decodeErrors(): number {
    return this.decoder.stats.badFrames + this.decoder.stats.garbageBytes;
  }

  /** Stops pending replies (call when the bus closes). */
  stop(): void {
    this.scheduler.stop();
    this.scheduler.restart();
  }

  clearLog(): void {
    this.frames.length = 0;
    this.transmitted.length = 0;
  }

  // --- state --------------------------------------------------------------------------------------------

  setDoor(board: number, lock: number, door: 'open' | 'closed'): void {
    this.lock(board, lock).door = door;
  }

  setOccupied(board: number, lock: number, occupied: boolean): void {
    this.lock(board, lock).occupied = occupied;
  }

  state(board: number, lock: number): Readonly<SimLockState> {
    return { ...this.lock(board, lock) };
  }

  // --- faults -------------------------------------------------------------------------------------------

  /** The board stops answering (cable cut, power loss, wrong address). */
  silence(board: number, on = true): void {
    this.board(board).silent = on;
  }

  /** Replies arrive with a corrupted byte, so their checksum fails. */
  garble(board: number, on = true): void {
    this.board(board).garbled = on;
  }

  /** Replies stop halfway. */
  truncate(board: number, on = true): void {
    this.board(board).truncated = on;
  }

  /** Replies come `ms` late (every board, or one). */
  slow(ms: number, board?: number): void {
    if (board === undefined) this.globalDelayMs = ms;
    else this.board(board).delayMs = ms;
  }

  /** The lock's bolt is stuck: an unlock pulses but the door stays shut. */
  jam(board: number, lock: number, on = true): void {
    this.lock(board, lock).jammed = on;
  }

  /** Someone pried the door open without a command. */
  forceOpen(board: number, lock: number): void {
    this.lock(board, lock).door = 'open';
  }

  /** Sends raw bytes as if a board (or line noise) produced them unasked. */
  inject(bytes: Uint8Array): void {
    this.transmit(Buffer.from(bytes), performance.now());
  }

  // --- internals ----------------------------------------------------------------------------------------

  private board(address: number): SimBoard {
    const b = this.boards.get(address);
    if (!b) throw new RangeError(`simulator has no board ${address}`);
    return b;
  }

  private lock(board: number, lock: number): SimLockState {
    const l = this.board(board).locks[lock - 1];
    if (!l) throw new RangeError(`simulator board ${board} has no lock ${lock}`);
    return l;
  }

  private open(b: SimBoard, lock: number): void {
    const l = b.locks[lock - 1];
    if (l && !l.jammed) l.door = 'open';
  }

  private doorOpen(l: SimLockState | undefined): boolean {
    return l?.door === 'open';
  }

  private statusOf(b: SimBoard, lock?: number): BoardReply {
    const irBits =
      this.family === 'kerong' ? b.locks.map((l) => l.occupied === this.occSetWhenOccupied) : null;
    return {
      kind: 'board-status',
      board: b.address,
      ...(lock === undefined ? {} : { lock }),
      doorsOpen: b.locks.map((l) => this.doorOpen(l)),
      irBits,
    };
  }

  private reply(b: SimBoard, req: BoardRequest): BoardReply | undefined {
    switch (req.op) {
      case 'unlock':
        if (req.lock < 1 || req.lock > b.locks.length) return undefined;
        this.open(b, req.lock);
        return this.family === 'kerong'
          ? this.statusOf(b, req.lock)
          : {
              kind: 'unlock-ack',
              board: b.address,
              lock: req.lock,
              doorOpen: this.doorOpen(b.locks[req.lock - 1]),
            };
      case 'unlock-all':
        for (let i = 1; i <= b.locks.length; i++) this.open(b, i);
        return this.family === 'kerong' ? this.statusOf(b) : { kind: 'unlock-all-ack', board: b.address };
      case 'multi-open':
        for (const l of req.locks) this.open(b, l);
        return { kind: 'multi-open-ack', board: b.address, locks: req.locks };
      case 'query-one':
        if (req.lock < 1 || req.lock > b.locks.length) return undefined;
        return {
          kind: 'lock-status',
          board: b.address,
          lock: req.lock,
          doorOpen: this.doorOpen(b.locks[req.lock - 1]),
        };
      case 'query-all':
        return this.statusOf(b);
    }
  }

  private answer(req: BoardRequest, receivedAt: number): void {
    const b = this.boards.get(req.board);
    // A board that is not on the bus, or is silent, does not answer; a silent board still acts.
    if (!b) return;
    const reply = this.reply(b, req);
    if (!reply || b.silent) return;
    let bytes = this.codec.encodeReply(reply, this.statusBytes);
    if (b.garbled) {
      bytes = Buffer.from(bytes);
      const i = Math.min(3, bytes.length - 2);
      bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
    }
    if (b.truncated) bytes = bytes.subarray(0, Math.ceil(bytes.length / 2));
    this.transmit(bytes, receivedAt + this.globalDelayMs + b.delayMs);
  }

  private transmit(bytes: Buffer, readyAt: number): void {
    // One UART per bus: a reply starts when the line is free and lands when its last byte is through.
    const start = Math.max(readyAt, this.txFreeAt);
    const doneAt = start + bytes.length * this.byteMs;
    this.txFreeAt = doneAt;
    this.scheduler.at(doneAt, () => {
      pushCapped(this.transmitted, hex(bytes), this.logLimit);
      for (const l of this.listeners) l(bytes);
    });
  }
}
