import { LockerError } from '@locker/protocol';
import type { Kysely } from 'kysely';
import type { CloudDatabase } from '../db/schema.js';
import type { NearbyIndex } from './nearby-index.js';
import type { TaskInput } from './task-fields.js';
import type { TaskRepository, TaskRow } from './task-repository.js';
import { type Party, type TaskMove, TaskStateMachine } from './task-state.js';

/** The columns a move changes. */
export type Patch = Partial<Omit<TaskRow, 'id' | 'version'>>;
/** Who may make a move: either party, only A (the publisher), only B, or someone not yet a party. */
type Trx = Kysely<CloudDatabase>;
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

/** The users and cabinet a task names exist, and the publisher does not collect their own task. */
export async function checkRefs(
  repo: TaskRepository,
  actor: string,
  input: TaskInput,
  trx: Trx,
): Promise<void> {
  if (input.linked !== undefined) {
    if (input.linked === actor)
      throw new LockerError('VALIDATION_FAILED', 'you cannot collect your own task');
    if (!(await repo.userExists(input.linked, trx))) {
      throw new LockerError('USER_NOT_FOUND', `no user ${input.linked}`);
    }
  }
  if (input.cabinet !== undefined && !(await repo.cabinetExists(input.cabinet, trx))) {
    throw new LockerError('CABINET_NOT_FOUND', `no cabinet ${input.cabinet}`);
  }
}

/** Only open tasks are in the nearby index; every move keeps it in step in its transaction. */
export async function syncIndex(index: NearbyIndex, t: TaskRow, trx: Trx): Promise<void> {
  if (TaskStateMachine.searchable(t.state)) {
    await index.put('task', t.id, { lat: t.ns, lon: t.ew, radiusM: t.radius_m }, trx);
  } else {
    await index.remove('task', t.id, trx);
  }
}
