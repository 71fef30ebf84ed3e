import {
  type BoardCodec,
  type BoardReply,
  type BoardRequest,
  type ByteQueue,
  bitsFromBytesLsbFirst,
  bytesFromBitsLsbFirst,
  type CodecOptions,
  type FamilyInfo,
  type ReplyDecoder,
  type RequestDecoder,
  xorOf,
} from './codec.js';
import { type Framer, type FrameVerdict, StreamDecoder } from './stream-decoder.js';

/**
 * The common "8A/80" XOR board (DESIGN §4.1): 5-byte frames `head board lock func xor`, 9600 8N1.
 *   unlock      8A BB LL 11 X  ->  8A BB LL SS X   (SS: 11 = sensor set, 00 = clear)
 *   unlock all  8A BB 00 11 X  ->  8A BB 00 SS X
 *   query one   80 BB LL 33 X  ->  80 BB LL SS X
 *   query all   80 BB 00 33 X  ->  80 BB Sn..S1 33 X   (S1 = locks 1-8, bit 0 = lock 1; n varies by firmware)
 *   multi-open  90 BB NN L1..LN X  ->  echoed
 */
export const HEAD_UNLOCK = 0x8a;
export const HEAD_QUERY = 0x80;
export const HEAD_MULTI = 0x90;
export const FUNC_UNLOCK = 0x11;
export const FUNC_QUERY = 0x33;
export const STATUS_SET = 0x11;
const MAX_STATUS_BYTES = 8;
const MAX_MULTI = 32;

export const xor8aInfo: FamilyInfo = {
  family: 'xor8a',
  defaultBaud: 9600,
  maxLocks: 64,
  minAddress: 1,
  maxAddress: 255,
  // Query one answers 11 for a closed door and 00 for an open one (DESIGN §4.1), so "set" means closed.
  defaultPolarity: { door: 'open_when_clear', occupancy: 'occupied_when_set' },
  hasOccupancy: false,
  hasQueryOne: true,
};

function frame(bytes: number[]): Buffer {
  return Buffer.from([...bytes, xorOf(Uint8Array.from(bytes), 0, bytes.length)]);
}

function checksumOk(q: ByteQueue, len: number): boolean {
  return xorOf(q.view(), 0, len - 1) === q.at(len - 1);
}

class Xor8aReplyFramer implements Framer<BoardReply, BoardRequest> {
  constructor(private readonly options: CodecOptions) {}

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
          : { kind: 'unlock-ack', board, lock, doorSet: status !== 0 };
      return { verdict: 'frame', length: 5, value };
    }
    if (status === FUNC_QUERY && lock === 0) {
      // Byte-identical to a one-status-byte query-all reply (and to the request itself): only a hint
      // can tell them apart, so without one it is reported as an all-clear board of 8.
      return { verdict: 'frame', length: 5, value: statusReply(board, [0]) };
    }
    return {
      verdict: 'frame',
      length: 5,
      value: { kind: 'lock-status', board, lock, doorSet: status !== 0 },
    };
  }

  private multi(q: ByteQueue): FrameVerdict<BoardReply> {
    if (q.length < 3) return { verdict: 'need-more' };
    const n = q.at(2) ?? 0;
    if (n < 1 || n > MAX_MULTI) return { verdict: 'bad' };
    const len = 4 + n;
    if (q.length < len) return { verdict: 'need-more' };
    if (!checksumOk(q, len)) return { verdict: 'bad' };
    const locks = Array.from(q.view().subarray(3, 3 + n));
    return { verdict: 'frame', length: len, value: { kind: 'multi-open-ack', board: q.at(1) ?? 0, locks } };
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
        return { verdict: 'frame', length: trailer + 2, value: statusReply(board, status) };
      }
    }
    return { verdict: 'bad' };
  }
}

/** Status bytes arrive highest locks first; turn them into bits with lock 1 at index 0. */
function statusReply(board: number, statusBytes: number[]): BoardReply {
  const lsbFirst = [...statusBytes].reverse();
  return { kind: 'board-status', board, doorBits: bitsFromBytesLsbFirst(lsbFirst), irBits: null };
}

class Xor8aRequestFramer implements Framer<BoardRequest, undefined> {
  isHead(b: number): boolean {
    return b === HEAD_UNLOCK || b === HEAD_QUERY || b === HEAD_MULTI;
  }

  tryFrame(q: ByteQueue): FrameVerdict<BoardRequest> {
    const head = q.at(0);
    if (head === HEAD_MULTI) {
      if (q.length < 3) return { verdict: 'need-more' };
      const n = q.at(2) ?? 0;
      if (n < 1 || n > MAX_MULTI) return { verdict: 'bad' };
      if (q.length < 4 + n) return { verdict: 'need-more' };
      if (!checksumOk(q, 4 + n)) return { verdict: 'bad' };
      const locks = Array.from(q.view().subarray(3, 3 + n));
      return { verdict: 'frame', length: 4 + n, value: { op: 'multi-open', board: q.at(1) ?? 0, locks } };
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

  constructor(private readonly options: CodecOptions = {}) {}

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
        return frame([HEAD_MULTI, req.board, req.locks.length, ...req.locks]);
    }
  }

  replyLength(req: BoardRequest): number | undefined {
    if (req.op === 'multi-open') return 4 + req.locks.length;
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
        return reply.kind === 'multi-open-ack' && reply.locks.join() === req.locks.join();
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
        return frame([HEAD_UNLOCK, reply.board, reply.lock, reply.doorSet ? STATUS_SET : 0]);
      case 'unlock-all-ack':
        return frame([HEAD_UNLOCK, reply.board, 0, 0]);
      case 'lock-status':
        return frame([HEAD_QUERY, reply.board, reply.lock, reply.doorSet ? STATUS_SET : 0]);
      case 'multi-open-ack':
        return frame([HEAD_MULTI, reply.board, reply.locks.length, ...reply.locks]);
      case 'board-status': {
        const n = statusBytes ?? Math.max(1, Math.ceil(reply.doorBits.length / 8));
        const bytes = bytesFromBitsLsbFirst(reply.doorBits, n).reverse();
        return frame([HEAD_QUERY, reply.board, ...bytes, FUNC_QUERY]);
      }
    }
  }
}
