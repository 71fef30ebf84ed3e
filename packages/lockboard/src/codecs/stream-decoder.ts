import { ByteQueue, type DecoderStats } from './codec.js';

/** What a family's framer says about the bytes at the head of the buffer. */
export type FrameVerdict<T> =
  | { verdict: 'frame'; length: number; value: T }
  | { verdict: 'need-more' }
  /** Not a frame here: the decoder drops one byte and hunts again, so a real frame inside is still found. */
  | { verdict: 'bad' };

export interface Framer<T, H> {
  isHead(byte: number): boolean;
  /** Must not throw; reads past the end come back undefined. */
  tryFrame(q: ByteQueue, hint: H | undefined): FrameVerdict<T>;
}

/**
 * The resynchronising loop shared by every family: skip to a head byte, ask the framer, and on a bad
 * candidate drop just one byte so that a valid frame starting inside the bad one is not lost.
 */
export class StreamDecoder<T, H> {
  private readonly q = new ByteQueue();
  readonly stats: DecoderStats = { frames: 0, badFrames: 0, garbageBytes: 0 };

  constructor(private readonly framer: Framer<T, H>) {}

  get pending(): number {
    return this.q.length;
  }

  push(chunk: Uint8Array, hint?: H): T[] {
    this.q.push(chunk);
    const out: T[] = [];
    // Bounded by the buffer length: every iteration consumes at least one byte or stops.
    while (this.q.length > 0) {
      const head = this.q.at(0);
      if (head === undefined) break;
      if (!this.framer.isHead(head)) {
        this.q.drop(1);
        this.stats.garbageBytes++;
        continue;
      }
      let v: FrameVerdict<T>;
      try {
        v = this.framer.tryFrame(this.q, hint);
      } catch {
        // A framer bug must not take the bus down; treat it like a bad frame.
        v = { verdict: 'bad' };
      }
      if (v.verdict === 'need-more') break;
      if (v.verdict === 'bad') {
        this.q.drop(1);
        this.stats.badFrames++;
        continue;
      }
      this.q.drop(v.length);
      this.stats.frames++;
      out.push(v.value);
    }
    return out;
  }

  reset(): void {
    this.q.clear();
  }
}
