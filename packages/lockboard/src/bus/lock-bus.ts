import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockerError } from '@locker/protocol';
import {
  type BoardCodec,
  type BoardReply,
  type BoardRequest,
  hex,
  type ReplyDecoder,
} from '../codecs/codec.js';
import { type Logger, silentLogger } from '../logger.js';
import type { ByteTransport } from '../transport/serial-transport.js';

/** Lower runs first: a waiting customer's unlock must not sit behind a routine poll. */
export const Priority = { unlock: 0, read: 1, poll: 2 } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];

export interface BusTimings {
  drainMs: number;
  silenceMs: number;
}

export interface BusStats {
  transactions: number;
  timeouts: number;
  badFrames: number;
  unsolicited: number;
  drains: number;
}

interface Transaction {
  req: BoardRequest;
  priority: Priority;
  timeoutMs: number;
  seq: number;
  resolve: (r: BoardReply) => void;
  reject: (e: Error) => void;
}

interface Running {
  tx: Transaction;
  sawError: boolean;
  timer: NodeJS.Timeout;
  silence: NodeJS.Timeout | undefined;
  done: () => void;
}

/**
 * One transaction on the wire at a time. A request completes the moment a matching frame has arrived
 * (frames end by length or trailer); silence after a partial or bad frame only ends the wait early. After
 * a timeout or a bad frame the line is drained, so a late reply can never be taken for the next answer.
 */
export class LockBus {
  private readonly queue: Transaction[] = [];
  private readonly decoder: ReplyDecoder;
  private running: Running | undefined;
  private pumping = false;
  private needDrain = true;
  private open = false;
  /** stop() was called: requests are refused with BUS_CLOSED (a lost port refuses with BUS_DOWN). */
  private stopped = true;
  private downListener: ((err: Error | undefined) => void) | undefined;
  private seq = 0;
  private lastDataAt = 0;
  readonly stats: BusStats = { transactions: 0, timeouts: 0, badFrames: 0, unsolicited: 0, drains: 0 };

  constructor(
    private readonly codec: BoardCodec,
    private readonly transport: ByteTransport,
    private readonly timings: BusTimings,
    private readonly log: Logger = silentLogger,
  ) {
    this.decoder = codec.createReplyDecoder();
  }

  get decoderStats() {
    return this.decoder.stats;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Called once each time the port is lost while in use (closed or failing), not on stop(). */
  onDown(listener: (err: Error | undefined) => void): void {
    this.downListener = listener;
  }

  /** Opens the port; after a loss, the same call opens it again (same path: a replugged adapter works). */
  async start(): Promise<void> {
    this.transport.onData((chunk) => this.onData(chunk));
    this.transport.onClose((err) => this.lose(err, 'serial port closed unexpectedly'));
    this.stopped = false;
    await this.transport.open();
    // Whatever was on the line before the loss is stale.
    this.needDrain = true;
    this.open = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.failAll('BUS_CLOSED', 'bus stopped');
    await this.transport.close();
  }

  /** The port is gone: fail everything at once (nothing waits to run late) and tell the owner. */
  private lose(err: Error | undefined, what: string): void {
    if (!this.open) return;
    this.log.error({ err: err?.message }, what);
    this.failAll('BUS_DOWN', what);
    this.transport.close().catch(() => undefined);
    this.downListener?.(err);
  }

  private failAll(code: 'BUS_CLOSED' | 'BUS_DOWN', why: string): void {
    this.open = false;
    for (const tx of this.queue.splice(0)) tx.reject(new LockerError(code, why));
    const r = this.running;
    if (r) {
      clearTimeout(r.timer);
      if (r.silence) clearTimeout(r.silence);
      this.running = undefined;
      r.tx.reject(new LockerError(code, why));
      r.done();
    }
  }

  private closedError(): LockerError {
    return this.stopped
      ? new LockerError('BUS_CLOSED', 'bus is not started')
      : new LockerError('BUS_DOWN', 'the serial port is down; no request is queued to run late');
  }

  /** Queues a request and resolves with the board's matching reply. */
  request(req: BoardRequest, priority: Priority, timeoutMs: number): Promise<BoardReply> {
    if (!this.open) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      const tx: Transaction = { req, priority, timeoutMs, seq: this.seq++, resolve, reject };
      // Stable insert: by priority, then arrival.
      let i = this.queue.length;
      while (i > 0 && (this.queue[i - 1] as Transaction).priority > priority) i--;
      this.queue.splice(i, 0, tx);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const tx = this.queue.shift();
        if (!tx) break;
        if (!this.open) {
          tx.reject(this.closedError());
          continue;
        }
        if (this.needDrain) await this.drain();
        // The port may have gone (or stop() run) while the line drained.
        if (!this.open) {
          tx.reject(this.closedError());
          continue;
        }
        await this.run(tx);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Waits for the line to be quiet for drainMs (bounded), then forgets whatever arrived. */
  private async drain(): Promise<void> {
    this.stats.drains++;
    const { drainMs } = this.timings;
    const deadline = performance.now() + Math.max(1000, drainMs * 20);
    await sleep(drainMs);
    for (;;) {
      const quietFor = performance.now() - this.lastDataAt;
      if (quietFor >= drainMs || performance.now() > deadline) break;
      await sleep(drainMs - quietFor);
    }
    try {
      await this.transport.flushInput();
    } catch {
      // Nothing to flush on a closing port; the decoder reset below is what matters.
    }
    this.decoder.reset();
    this.needDrain = false;
  }

  private run(tx: Transaction): Promise<void> {
    return new Promise<void>((done) => {
      this.decoder.reset();
      const timer = setTimeout(
        () => this.finish(new LockerError('LOCK_TIMEOUT', this.describe(tx, 'timed out'), this.details(tx))),
        tx.timeoutMs,
      );
      const running: Running = { tx, sawError: false, timer, silence: undefined, done };
      this.running = running;
      this.stats.transactions++;
      const bytes = this.codec.encodeRequest(tx.req);
      this.log.debug({ tx: hex(bytes), op: tx.req.op, board: tx.req.board }, 'serial tx');
      this.transport.write(bytes).catch((err: unknown) => {
        // A port that cannot be written is as good as gone: reopen it rather than fail every request.
        if (this.running !== running) return;
        if (this.open) this.lose(err as Error, `serial write failed: ${(err as Error).message}`);
        else this.finish(this.closedError());
      });
    });
  }

  private onData(chunk: Buffer): void {
    this.lastDataAt = performance.now();
    const r = this.running;
    if (!r) {
      // Nobody asked: a late reply or noise. Keep it out of the next transaction.
      this.stats.unsolicited++;
      this.needDrain = true;
      return;
    }
    const before = this.decoder.stats.badFrames + this.decoder.stats.garbageBytes;
    const replies = this.decoder.push(chunk, r.tx.req);
    if (this.decoder.stats.badFrames + this.decoder.stats.garbageBytes > before) r.sawError = true;
    for (const reply of replies) {
      if (this.codec.matches(r.tx.req, reply)) {
        this.finish(reply);
        return;
      }
      this.stats.unsolicited++;
    }
    if (r.sawError || this.decoder.pending > 0) {
      if (r.silence) clearTimeout(r.silence);
      r.silence = setTimeout(() => {
        if (this.running !== r) return;
        const what = this.decoder.pending > 0 ? 'reply cut short' : 'bad reply';
        this.finish(new LockerError('BAD_FRAME', this.describe(r.tx, what), this.details(r.tx)));
      }, this.timings.silenceMs);
    }
  }

  private finish(outcome: BoardReply | LockerError): void {
    const r = this.running;
    if (!r) return;
    this.running = undefined;
    clearTimeout(r.timer);
    if (r.silence) clearTimeout(r.silence);
    if (outcome instanceof LockerError) {
      if (outcome.code === 'LOCK_TIMEOUT') this.stats.timeouts++;
      if (outcome.code === 'BAD_FRAME') this.stats.badFrames++;
      this.needDrain = true;
      this.log.warn({ code: outcome.code, op: r.tx.req.op, board: r.tx.req.board }, outcome.message);
      r.tx.reject(outcome);
    } else {
      if (r.sawError || this.decoder.pending > 0) this.needDrain = true;
      r.tx.resolve(outcome);
    }
    r.done();
  }

  private describe(tx: Transaction, what: string): string {
    const lock = 'lock' in tx.req ? ` lock ${tx.req.lock}` : '';
    return `board ${tx.req.board}${lock}: ${tx.req.op} ${what}`;
  }

  private details(tx: Transaction): Record<string, unknown> {
    return { op: tx.req.op, board: tx.req.board, ...('lock' in tx.req ? { lock: tx.req.lock } : {}) };
  }
}
