import { LockerError } from '@locker/protocol';
import type { TaskStateName } from '../db/schema.js';

export type TaskState = TaskStateName;
export type Party = 'A' | 'B';

/**
 * Every move on a task and the states it may start from:
 * open -> linked -> bargaining -> agreed -> paid -> (both confirm) -> done; deleted by the
 * publisher before payment, cancelled by the collector after it (the hold is refunded).
 */
export const TASK_MOVES = {
  /** A changes the task's fields (ct=FIX). */
  fix: ['open', 'linked'],
  /** A deletes the task (ct=DEL). */
  delete: ['open', 'linked', 'bargaining', 'agreed'],
  /** B steps back before payment (ct=DEL by B): the task is open again. */
  leave: ['linked', 'bargaining', 'agreed'],
  /** Someone who found the task nearby becomes its collector. */
  claim: ['open'],
  /** A party adds a delta to the price (c=True). */
  offer: ['linked', 'bargaining'],
  /** The party that did not make the last offer takes the price as it stands. */
  accept: ['linked', 'bargaining'],
  /** A party abandons the negotiation (c=False): back to linked at the published price. */
  abandon: ['bargaining', 'agreed'],
  /** A pays the agreed price into a hold. */
  pay: ['agreed'],
  /** A party confirms the hand-over; when both have, the hold is released to B. */
  confirm: ['paid'],
  /** B gives up after payment; the hold goes back to A. */
  cancel: ['paid'],
  /** A hands the task's box to B (a pickup or deposit right) while B still has the task to do. */
  handover: ['linked', 'bargaining', 'agreed', 'paid'],
} as const satisfies Record<string, readonly TaskState[]>;
export type TaskMove = keyof typeof TASK_MOVES;

export const TaskStateMachine = {
  can(state: TaskState, move: TaskMove): boolean {
    return (TASK_MOVES[move] as readonly TaskState[]).includes(state);
  },

  /** Throws TASK_STATE_INVALID (TASK_ALREADY_PAID for paying again) when the move is not allowed. */
  assert(state: TaskState, move: TaskMove): void {
    if (TaskStateMachine.can(state, move)) return;
    if (move === 'pay' && (state === 'paid' || state === 'done')) {
      throw new LockerError('TASK_ALREADY_PAID', 'this task is already paid');
    }
    throw new LockerError('TASK_STATE_INVALID', `a task that is ${state} cannot ${move}`, { state, move });
  },

  /** Only open tasks are looking for a collector, so only they are in the nearby index. */
  searchable(state: TaskState): boolean {
    return state === 'open';
  },
};
