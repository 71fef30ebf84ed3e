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
  type ReplyDecoder,
  type RequestDecoder,
  sumOf,
} from './codec.js';
import { type Framer, type FrameVerdict, StreamDecoder } from './stream-decoder.js';

/**
 * Kerong KR-CU (DESIGN §4.1): `02 ADDR CMD 03 SUM`, 19200 8N1, ADDR = board*16 + (lock-1), SUM = low byte
 * of the sum of all preceding bytes.
 *   status      02 B0 30 03 S  ->  02 B0 35 L1-8 L9-16 IR1-8 IR9-16 03 S   (9 bytes)
 *   unlock      02 AA 31 03 S  ->  the same 9-byte status, addressed to the lock
 *   unlock all  02 B0 33 03 S  ->  the same 9-byte status
 */
export const STX = 0x02;
export const ETX = 0x03;
export const CMD_STATUS = 0x30;
export const CMD_UNLOCK = 0x31;
export const CMD_UNLOCK_ALL = 0x33;
export const REPLY_STATUS = 0x35;
const STATUS_LEN = 9;

export const kerongInfo: FamilyInfo = {
  family: 'kerong',
  defaultBaud: 19200,
  maxLocks: 16,
  minAddress: 0,
  maxAddress: 15,
  defaultOccupancy: 'occupied_when_set',
  hasOccupancy: true,
  hasQueryOne: false,
};

function frame(bytes: number[]): Buffer {
  return Buffer.from([...bytes, sumOf(Uint8Array.from(bytes), 0, bytes.length)]);
}

function addr(board: number, lock: number): number {
  return ((board & 0x0f) << 4) | ((lock - 1) & 0x0f);
}

function sumOk(q: ByteQueue, len: number): boolean {
  return sumOf(q.view(), 0, len - 1) === q.at(len - 1) && q.at(len - 2) === ETX;
}

class KerongReplyFramer implements Framer<BoardReply, BoardRequest> {
  constructor(private readonly setIsOpen: boolean) {}

  isHead(b: number): boolean {
    return b === STX;
  }

  tryFrame(q: ByteQueue): FrameVerdict<BoardReply> {
    if (q.length < 3) return { verdict: 'need-more' };
    if (q.at(2) !== REPLY_STATUS) return { verdict: 'bad' };
    if (q.length < STATUS_LEN) return { verdict: 'need-more' };
    if (!sumOk(q, STATUS_LEN)) return { verdict: 'bad' };
    const a = q.at(1) ?? 0;
    const data = Array.from(q.view().subarray(3, 7));
    const value: BoardReply = {
      kind: 'board-status',
      board: a >> 4,
      lock: (a & 0x0f) + 1,
      doorsOpen: bitsFromBytesLsbFirst(data.slice(0, 2)).map((set) => set === this.setIsOpen),
      irBits: bitsFromBytesLsbFirst(data.slice(2, 4)),
    };
    return { verdict: 'frame', length: STATUS_LEN, value };
  }
}

class KerongRequestFramer implements Framer<BoardRequest, undefined> {
  isHead(b: number): boolean {
    return b === STX;
  }

  tryFrame(q: ByteQueue): FrameVerdict<BoardRequest> {
    if (q.length < 5) return { verdict: 'need-more' };
    if (!sumOk(q, 5)) return { verdict: 'bad' };
    const a = q.at(1) ?? 0;
    const board = a >> 4;
    const lock = (a & 0x0f) + 1;
    switch (q.at(2)) {
      case CMD_STATUS:
        return { verdict: 'frame', length: 5, value: { op: 'query-all', board } };
      case CMD_UNLOCK:
        return { verdict: 'frame', length: 5, value: { op: 'unlock', board, lock } };
      case CMD_UNLOCK_ALL:
        return { verdict: 'frame', length: 5, value: { op: 'unlock-all', board } };
      default:
        return { verdict: 'bad' };
    }
  }
}

export class KerongCodec implements BoardCodec {
  readonly info = kerongInfo;
  /** Closing feedback (the sheet's wiring): a set lock bit is an open door; opening feedback inverts it. */
  private readonly setIsOpen: boolean;

  constructor(options: CodecOptions = {}) {
    this.setIsOpen = (options.feedback ?? 'closing') === 'closing';
  }

  encodeRequest(req: BoardRequest): Buffer {
    switch (req.op) {
      case 'unlock':
        return frame([STX, addr(req.board, req.lock), CMD_UNLOCK, ETX]);
      case 'unlock-all':
        return frame([STX, addr(req.board, 1), CMD_UNLOCK_ALL, ETX]);
      // The board has no single-lock query: the status of the whole board answers it.
      case 'query-one':
      case 'query-all':
        return frame([STX, addr(req.board, 1), CMD_STATUS, ETX]);
      case 'multi-open':
        throw new LockerError('VALIDATION_FAILED', 'Kerong KR-CU boards have no multi-open frame');
    }
  }

  replyLength(): number {
    return STATUS_LEN;
  }

  matches(req: BoardRequest, reply: BoardReply): boolean {
    if (reply.kind !== 'board-status' || reply.board !== req.board) return false;
    return req.op === 'unlock' ? reply.lock === req.lock : true;
  }

  createReplyDecoder(): ReplyDecoder {
    return new StreamDecoder(new KerongReplyFramer(this.setIsOpen));
  }

  createRequestDecoder(): RequestDecoder {
    const d = new StreamDecoder<BoardRequest, undefined>(new KerongRequestFramer());
    return { push: (chunk) => d.push(chunk), stats: d.stats };
  }

  encodeReply(reply: BoardReply): Buffer {
    if (reply.kind !== 'board-status') {
      throw new LockerError('VALIDATION_FAILED', `Kerong KR-CU boards send no ${reply.kind} frame`);
    }
    const doors = bytesFromBitsLsbFirst(
      reply.doorsOpen.map((open) => open === this.setIsOpen),
      2,
    );
    const ir = bytesFromBitsLsbFirst(reply.irBits ?? [], 2);
    return frame([STX, addr(reply.board, reply.lock ?? 1), REPLY_STATUS, ...doors, ...ir, ETX]);
  }
}
