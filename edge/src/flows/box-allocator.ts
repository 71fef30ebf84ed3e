import { type BoxNo, type BoxSize, BoxSize as BoxSizes } from '@locker/protocol';
import type { BoxRecord, BoxStateMachine } from '../boxes/box-state-machine.js';
import type { SessionStore } from './session-store.js';

const SIZES = BoxSizes.options;

/** Sizes from `size` upwards: a parcel fits any box at least as large. */
export function sizesFrom(size: BoxSize): BoxSize[] {
  return SIZES.slice(SIZES.indexOf(size));
}

export function nextSize(size: BoxSize): BoxSize | undefined {
  return SIZES[SIZES.indexOf(size) + 1];
}

/**
 * Picks free boxes for deposits: usage free, door not seen open, nothing seen inside, not held by another
 * session. Must be called in the same synchronous transaction that creates or moves the session, so two
 * people at two screens never get the same box.
 */
export class BoxAllocator {
  constructor(
    private readonly boxes: BoxStateMachine,
    private readonly sessions: SessionStore,
    /** Whether a board answers: the boxes of one that does not are not offered. */
    private readonly reachable: (board: number) => boolean = () => true,
  ) {}

  isUsable(b: BoxRecord, held: Set<BoxNo>, anyBoard = false): boolean {
    return (
      b.usage === 'free' &&
      b.door !== 'open' &&
      b.occupancy !== 'occupied' &&
      !held.has(b.boxNo) &&
      (anyBoard || this.reachable(b.board))
    );
  }

  /** `anyBoard` also considers boxes on boards that do not answer (to tell the person why none is free). */
  pick(size: BoxSize, exclude: readonly BoxNo[] = [], anyBoard = false): BoxRecord | undefined {
    const held = this.sessions.heldBoxes();
    const all = this.boxes
      .list()
      .filter((b) => !exclude.includes(b.boxNo) && this.isUsable(b, held, anyBoard));
    for (const s of sizesFrom(size)) {
      const hit = all.find((b) => b.size === s);
      if (hit) return hit;
    }
    return undefined;
  }

  freeBySize(): Array<{ size: BoxSize; free: number }> {
    const held = this.sessions.heldBoxes();
    const boxes = this.boxes.list();
    return SIZES.filter((s) => boxes.some((b) => b.size === s)).map((size) => ({
      size,
      free: boxes.filter((b) => b.size === size && this.isUsable(b, held)).length,
    }));
  }
}
