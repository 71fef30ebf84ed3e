/**
 * The family-neutral vocabulary the bus, the driver and the simulator share. Each board family turns these
 * into bytes and back; nothing above the codecs ever looks at a raw frame.
 */
export type Family = 'xor8a' | 'kerong';

/** What the host asks a board to do. Locks are numbered from 1, as printed on the cabinet. */
export type BoardRequest =
  | { op: 'unlock'; board: number; lock: number }
  | { op: 'unlock-all'; board: number }
  | { op: 'query-one'; board: number; lock: number }
  | { op: 'query-all'; board: number }
  | { op: 'multi-open'; board: number; locks: number[] };

/**
 * What a board answers. Door sensors are already mapped to open/closed by the codec from the bus's one
 * feedback mode (the raw sense differs between encodings of the same board, see FeedbackMode). Occupancy
 * bits stay raw: their polarity is configuration, applied by the driver.
 */
export type BoardReply =
  /** xor8a: the unlock echo carries the lock's status byte after the pulse. */
  | { kind: 'unlock-ack'; board: number; lock: number; doorOpen: boolean }
  | { kind: 'unlock-all-ack'; board: number }
  | { kind: 'multi-open-ack'; board: number; locks: number[] }
  | { kind: 'lock-status'; board: number; lock: number; doorOpen: boolean }
  /**
   * A whole board. `lock` is set when the family addresses a lock in the reply (Kerong answers an unlock
   * with the board status, addressed to the lock). `doorsOpen[0]` is lock 1.
   */
  | { kind: 'board-status'; board: number; lock?: number; doorsOpen: boolean[]; irBits: boolean[] | null };

/**
 * How the door sensor is wired to the board. "closing feedback" (the common wiring) reports the contact a
 * shut door closes; "opening feedback" the opposite. Each family's codec maps every encoding from this one
 * setting: on the 8A/80 board query-one/unlock answer 00 for open and 11 for closed under closing feedback,
 * while a set bit in the query-all bitmask means open, so the two encodings have opposite raw sense.
 */
export type FeedbackMode = 'closing' | 'opening';

export interface DecoderStats {
  /** Frames decoded with a valid checksum. */
  frames: number;
  /** Candidate frames dropped for a bad checksum, a bad trailer or an impossible length. */
  badFrames: number;
  /** Bytes skipped while hunting for a frame start. */
  garbageBytes: number;
}

/**
 * A stream decoder: feed it whatever the line delivered (split, merged, noisy) and take the frames out.
 * It never throws; bad input only moves the counters.
 */
export interface ReplyDecoder {
  /** `expect` disambiguates frames that are byte-identical between kinds (see the xor8a query-all). */
  push(chunk: Uint8Array, expect?: BoardRequest): BoardReply[];
  /** Bytes held back as the start of a frame that has not fully arrived yet. */
  readonly pending: number;
  readonly stats: DecoderStats;
  /** Forget buffered bytes (after a drain). Counters are kept. */
  reset(): void;
}

/** The simulator's side: decodes requests the way a board firmware would. */
export interface RequestDecoder {
  push(chunk: Uint8Array): BoardRequest[];
  readonly stats: DecoderStats;
}

export interface FamilyInfo {
  family: Family;
  defaultBaud: number;
  /** Highest lock number a board of this family can address. */
  maxLocks: number;
  minAddress: number;
  maxAddress: number;
  defaultOccupancy: OccupancyPolarity;
  /** Whether the board reports an occupancy (infrared) sensor per lock. */
  hasOccupancy: boolean;
  /** Whether the board answers a single-lock query (otherwise the driver reads the board). */
  hasQueryOne: boolean;
}

export type OccupancyPolarity = 'occupied_when_set' | 'occupied_when_clear';

export interface CodecOptions {
  /** How the door sensors are wired (default `closing`, the common wiring). */
  feedback?: FeedbackMode;
  /** xor8a only: a fixed count of status bytes in a query-all reply, instead of framing by the trailer. */
  statusBytes?: number;
  /** Lock counts by board address, so a query-all reply is not cut before it can cover every lock. */
  locksByBoard?: ReadonlyMap<number, number>;
}

export interface BoardCodec {
  readonly info: FamilyInfo;
  encodeRequest(req: BoardRequest): Buffer;
  /** Reply length in bytes when it is known in advance; undefined when the reply frames itself. */
  replyLength(req: BoardRequest): number | undefined;
  /** Whether a decoded reply answers this request (and not another board or an older command). */
  matches(req: BoardRequest, reply: BoardReply): boolean;
  createReplyDecoder(): ReplyDecoder;
  createRequestDecoder(): RequestDecoder;
  /** Simulator side. `statusBytes` is the count a board puts in a query-all reply. */
  encodeReply(reply: BoardReply, statusBytes?: number): Buffer;
}

export function xorOf(bytes: Uint8Array, from: number, to: number): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i] ?? 0;
  return x;
}

export function sumOf(bytes: Uint8Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += bytes[i] ?? 0;
  return s & 0xff;
}

/** Grows a byte buffer without reallocating on every chunk. */
export class ByteQueue {
  private buf = Buffer.alloc(64);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.length;
      const next = Buffer.alloc(Math.max(this.buf.length, (live + chunk.length) * 2));
      this.buf.copy(next, 0, this.start, this.end);
      this.buf = next;
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  at(i: number): number | undefined {
    return i < this.length ? this.buf[this.start + i] : undefined;
  }

  view(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  drop(n: number): void {
    this.start = Math.min(this.end, this.start + n);
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
  }

  clear(): void {
    this.start = 0;
    this.end = 0;
  }
}

export function bitsFromBytesLsbFirst(bytes: readonly number[]): boolean[] {
  const bits: boolean[] = [];
  for (const b of bytes) for (let i = 0; i < 8; i++) bits.push(((b >> i) & 1) === 1);
  return bits;
}

export function bytesFromBitsLsbFirst(bits: readonly boolean[], byteCount: number): number[] {
  const out: number[] = new Array<number>(byteCount).fill(0);
  bits.forEach((bit, i) => {
    const byte = i >> 3;
    if (bit && byte < byteCount) out[byte] = (out[byte] ?? 0) | (1 << (i & 7));
  });
  return out;
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}
