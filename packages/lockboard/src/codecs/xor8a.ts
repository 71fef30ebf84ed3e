import { LockerError } from '@locker/protocol';
import {
  type BoardCodec,
  type BoardReply,
  type BoardRequest,
  type ByteQueue,
  bitsFromBytesLsbFirst,
  bytesFromBitsLsbFirst,
  type CodecOptions,
  type FamilyInfo,
  type FeedbackMode,
  type ReplyDecoder,
  type RequestDecoder,
  xorOf,
} from './codec.js';
import { type Framer, type FrameVerdict, StreamDecoder } from './stream-decoder.js';

/**
 * The common "8A/80" XOR board (DESIGN §4.1, docs/serial.md): `head board lock func xor`, 9600 8N1.
 *   unlock      8A BB LL 11 X  ->  8A BB LL SS X   (closing feedback: SS 00 = open, 11 = closed)
 *   unlock all  8A BB 00 11 X  ->  8A BB 00 SS X
 *   query one   80 BB LL 33 X  ->  80 BB LL SS X   (same sense as the unlock reply)
 *   query all   80 BB 00 33 X  ->  80 BB S3 S2 S1 33 X   (S1, the last, = locks 1-8, bit 0 = lock 1;
 *                                   closing feedback: a set bit = open; 3 bytes even on 8-lock boards,
 *                                   4 on some 32-lock firmware)
 *   multi-open  90 BB S1 S2 S3 X  (a bitmap, S1 = locks 1-8 first)  ->  echoed
 * Opening feedback inverts the sense of both encodings.
 */
export const HEAD_UNLOCK = 0x8a;
export const HEAD_QUERY = 0x80;
export const HEAD_MULTI = 0x90;
export const FUNC_UNLOCK = 0x11;
export const FUNC_QUERY = 0x33;
export const STATUS_SET = 0x11;
const MAX_STATUS_BYTES = 8;
/** The multi-open bitmap covers locks 1-24 in three bytes. */
export const MULTI_BYTES = 3;
const MULTI_LEN = 3 + MULTI_BYTES;

export const xor8aInfo: FamilyInfo = {
  family: 'xor8a',
  defaultBaud: 9600,
  maxLocks: 64,
  minAddress: 1,
  maxAddress: 255,
  defaultOccupancy: 'occupied_when_set',
  hasOccupancy: false,
  hasQueryOne: true,
};

function frame(bytes: number[]): Buffer {
  return Buffer.from([...bytes, xorOf(Uint8Array.from(bytes), 0, bytes.length)]);
}

function checksumOk(q: ByteQueue, len: number): boolean {
  return xorOf(q.view(), 0, len - 1) === q.at(len - 1);
}

/** Closing feedback: query one and the unlock echo answer 00 for an open door, 11 for a shut one. */
function lockOpen(status: number, feedback: FeedbackMode): boolean {
  return feedback === 'closing' ? status === 0 : status !== 0;
}

function lockStatusByte(open: boolean, feedback: FeedbackMode): number {
  return open === (feedback === 'closing') ? 0 : STATUS_SET;
}

class Xor8aReplyFramer implements Framer<BoardReply, BoardRequest> {
  private readonly feedback: FeedbackMode;

  constructor(private readonly options: CodecOptions) {
    this.feedback = options.feedback ?? 'closing';
  }

  isHead(b: number): boolean {
    return b === HEAD_UNLOCK || b === HEAD_QUERY || b === HEAD_MULTI;
  }

  tryFrame(q: ByteQueue, hint: BoardRequest | undefined): FrameVerdict<BoardReply> {
    const head = q.at(0);
    if (head === HEAD_MULTI) return this.multi(q);
    if (head === HEAD_QUERY && hint?.op === 'query-all') return this.queryAll(q);
    if (q.length < 5) return { verdict: 'need-more' };
    if (!checksumOk(q, 5)) return { verdict: 'bad' };
    const board = q.at(1) ?? 0;
    const lock = q.at(2) ?? 0;
    const status = q.at(3) ?? 0;
    if (head === HEAD_UNLOCK) {
      const value: BoardReply =
        lock === 0
          ? { kind: 'unlock-all-ack', board }
          : { kind: 'unlock-ack', board, lock, doorOpen: lockOpen(status, this.feedback) };
      return { verdict: 'frame', length: 5, value };
    }
    if (status === FUNC_QUERY && lock === 0) {
      // Byte-identical to a one-status-byte query-all reply (and to the request itself): only a hint
      // can tell them apart, so without one it is reported as an all-clear board of 8.
      return { verdict: 'frame', length: 5, value: statusReply(board, [0], this.feedback) };
    }
    return {
      verdict: 'frame',
      length: 5,
      value: { kind: 'lock-status', board, lock, doorOpen: lockOpen(status, this.feedback) },
    };
  }

  private multi(q: ByteQueue): FrameVerdict<BoardReply> {
    if (q.length < MULTI_LEN) return { verdict: 'need-more' };
    if (!checksumOk(q, MULTI_LEN)) return { verdict: 'bad' };
    const locks = locksOfBitmap(q);
    return {
      verdict: 'frame',
      length: MULTI_LEN,
      value: { kind: 'multi-open-ack', board: q.at(1) ?? 0, locks },
    };
  }

  /**
   * The reply's length does not follow the board size, so it ends at the first `33 xor` pair that comes
   * after enough status bytes for the board's locks, or at a configured count.
   */
  private queryAll(q: ByteQueue): FrameVerdict<BoardReply> {
    if (q.length < 2) return { verdict: 'need-more' };
    const board = q.at(1) ?? 0;
    const fixed = this.options.statusBytes;
    const locks = this.options.locksByBoard?.get(board) ?? 8;
    const minN = fixed ?? Math.max(1, Math.ceil(locks / 8));
    const maxN = fixed ?? MAX_STATUS_BYTES;
    for (let n = minN; n <= maxN; n++) {
      const trailer = 2 + n;
      if (q.length < trailer + 2) return { verdict: 'need-more' };
      if (q.at(trailer) === FUNC_QUERY && xorOf(q.view(), 0, trailer + 1) === q.at(trailer + 1)) {
        const status = Array.from(q.view().subarray(2, trailer));
        return { verdict: 'frame', length: trailer + 2, value: statusReply(board, status, this.feedback) };
      }
    }
    return { verdict: 'bad' };
  }
}

/**
 * Status bytes arrive highest locks first; turn them into doors with lock 1 at index 0. Closing feedback:
 * a set bit is an open door (the opposite raw sense of query one).
 */
function statusReply(board: number, statusBytes: number[], feedback: FeedbackMode): BoardReply {
  const lsbFirst = [...statusBytes].reverse();
  const setIsOpen = feedback === 'closing';
  const doorsOpen = bitsFromBytesLsbFirst(lsbFirst).map((set) => set === setIsOpen);
  return { kind: 'board-status', board, doorsOpen, irBits: null };
}

/** The multi-open bitmap `S1 S2 S3` (S1 first = locks 1-8, bit 0 = lock 1) at offset 2 of the frame. */
function locksOfBitmap(q: ByteQueue): number[] {
  const bytes = Array.from(q.view().subarray(2, 2 + MULTI_BYTES));
  return bitsFromBytesLsbFirst(bytes).flatMap((on, i) => (on ? [i + 1] : []));
}

function bitmapOfLocks(locks: readonly number[]): number[] {
  const bits = new Array<boolean>(MULTI_BYTES * 8).fill(false);
  for (const l of locks) {
    if (!Number.isInteger(l) || l < 1 || l > MULTI_BYTES * 8) {
      throw new LockerError('VALIDATION_FAILED', `the multi-open bitmap covers locks 1..24, not ${l}`);
    }
    bits[l - 1] = true;
  }
  return bytesFromBitsLsbFirst(bits, MULTI_BYTES);
}

class Xor8aRequestFramer implements Framer<BoardRequest, undefined> {
  isHead(b: number): boolean {
    return b === HEAD_UNLOCK || b === HEAD_QUERY || b === HEAD_MULTI;
  }

  tryFrame(q: ByteQueue): FrameVerdict<BoardRequest> {
    const head = q.at(0);
    if (head === HEAD_MULTI) {
      if (q.length < MULTI_LEN) return { verdict: 'need-more' };
      if (!checksumOk(q, MULTI_LEN)) return { verdict: 'bad' };
      const locks = locksOfBitmap(q);
      return { verdict: 'frame', length: MULTI_LEN, value: { op: 'multi-open', board: q.at(1) ?? 0, locks } };
    }
    if (q.length < 5) return { verdict: 'need-more' };
    if (!checksumOk(q, 5)) return { verdict: 'bad' };
    const board = q.at(1) ?? 0;
    const lock = q.at(2) ?? 0;
    const func = q.at(3);
    if (head === HEAD_UNLOCK && func === FUNC_UNLOCK) {
      const value: BoardRequest = lock === 0 ? { op: 'unlock-all', board } : { op: 'unlock', board, lock };
      return { verdict: 'frame', length: 5, value };
    }
    if (head === HEAD_QUERY && func === FUNC_QUERY) {
      const value: BoardRequest = lock === 0 ? { op: 'query-all', board } : { op: 'query-one', board, lock };
      return { verdict: 'frame', length: 5, value };
    }
    return { verdict: 'bad' };
  }
}

export class Xor8aCodec implements BoardCodec {
  readonly info = xor8aInfo;
  private readonly feedback: FeedbackMode;

  constructor(private readonly options: CodecOptions = {}) {
    this.feedback = options.feedback ?? 'closing';
  }

  encodeRequest(req: BoardRequest): Buffer {
    switch (req.op) {
      case 'unlock':
        return frame([HEAD_UNLOCK, req.board, req.lock, FUNC_UNLOCK]);
      case 'unlock-all':
        return frame([HEAD_UNLOCK, req.board, 0, FUNC_UNLOCK]);
      case 'query-one':
        return frame([HEAD_QUERY, req.board, req.lock, FUNC_QUERY]);
      case 'query-all':
        return frame([HEAD_QUERY, req.board, 0, FUNC_QUERY]);
      case 'multi-open':
        return frame([HEAD_MULTI, req.board, ...bitmapOfLocks(req.locks)]);
    }
  }

  replyLength(req: BoardRequest): number | undefined {
    if (req.op === 'multi-open') return MULTI_LEN;
    if (req.op === 'query-all')
      return this.options.statusBytes === undefined ? undefined : this.options.statusBytes + 4;
    return 5;
  }

  matches(req: BoardRequest, reply: BoardReply): boolean {
    if (reply.board !== req.board) return false;
    switch (req.op) {
      case 'unlock':
        return reply.kind === 'unlock-ack' && reply.lock === req.lock;
      case 'unlock-all':
        return reply.kind === 'unlock-all-ack';
      case 'query-one':
        return reply.kind === 'lock-status' && reply.lock === req.lock;
      case 'query-all':
        return reply.kind === 'board-status';
      case 'multi-open':
        return (
          reply.kind === 'multi-open-ack' &&
          reply.locks.join() === [...new Set(req.locks)].sort((a, b) => a - b).join()
        );
    }
  }

  createReplyDecoder(): ReplyDecoder {
    return new StreamDecoder(new Xor8aReplyFramer(this.options));
  }

  createRequestDecoder(): RequestDecoder {
    const d = new StreamDecoder<BoardRequest, undefined>(new Xor8aRequestFramer());
    return { push: (chunk) => d.push(chunk), stats: d.stats };
  }

  encodeReply(reply: BoardReply, statusBytes?: number): Buffer {
    switch (reply.kind) {
      case 'unlock-ack':
        return frame([HEAD_UNLOCK, reply.board, reply.lock, lockStatusByte(reply.doorOpen, this.feedback)]);
      case 'unlock-all-ack':
        return frame([HEAD_UNLOCK, reply.board, 0, 0]);
      case 'lock-status':
        return frame([HEAD_QUERY, reply.board, reply.lock, lockStatusByte(reply.doorOpen, this.feedback)]);
      case 'multi-open-ack':
        return frame([HEAD_MULTI, reply.board, ...bitmapOfLocks(reply.locks)]);
      case 'board-status': {
        const n = statusBytes ?? Math.max(1, Math.ceil(reply.doorsOpen.length / 8));
        const setIsOpen = this.feedback === 'closing';
        const bits = reply.doorsOpen.map((open) => open === setIsOpen);
        const bytes = bytesFromBitsLsbFirst(bits, n).reverse();
        return frame([HEAD_QUERY, reply.board, ...bytes, FUNC_QUERY]);
      }
    }
  }
}
