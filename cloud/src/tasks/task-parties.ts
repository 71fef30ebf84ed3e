import { LockerError } from '@locker/protocol';
import type { TaskInput } from './task-fields.js';
import type { TaskRow } from './task-repository.js';
import type { Party, TaskMove } from './task-state.js';

/** The columns a move changes. */
export type Patch = Partial<Omit<TaskRow, 'id' | 'version'>>;
/** Who may make a move: either party, only A (the publisher), only B, or someone not yet a party. */
export type Who = 'party' | 'A' | 'B' | 'outsider';

export function partyOf(t: TaskRow, userId: string): Party | undefined {
  if (t.publisher_id === userId) return 'A';
  if (t.collector_id === userId) return 'B';
  return undefined;
}

export function checkWho(who: Who, party: Party | undefined, move: TaskMove): void {
  if (who === 'outsider') {
    if (party === 'A') throw new LockerError('FORBIDDEN', 'you cannot collect your own task');
    if (party === 'B') throw new LockerError('TASK_STATE_INVALID', 'you already collect this task');
    return;
  }
  if (!party) throw new LockerError('NOT_A_PARTY', 'you are neither the publisher nor the collector');
  if (who !== 'party' && who !== party) {
    const role = who === 'A' ? 'publisher' : 'collector';
    throw new LockerError('FORBIDDEN', `only the ${role} may ${move} this task`);
  }
}

/** A negotiation starts over: the published price, a new round, no offer outstanding. */
export function restart(t: TaskRow): Patch {
  return { price: t.cost, round: t.round + 1, last_offer_by: null };
}

export function fieldsOf(input: TaskInput) {
  return {
    ew: input.ew,
    ns: input.ns,
    radius_m: input.r,
    weight_kg: input.wei,
    size_x: input.size.x,
    size_y: input.size.y,
    size_z: input.size.z,
    note: input.note ?? null,
    intr: input.intr ?? null,
    cost: input.cost,
    cabinet_id: input.cabinet ?? null,
    box_no: input.box ?? null,
    handover: input.cabinet ? (input.handover ?? 'pickup') : null,
  };
}
