import { LockerError } from '@locker/protocol';
import type { Logger } from 'pino';
import type { AuthorizationService, GrantView } from '../authorizations/authorization-service.js';
import type { GrantRepository, GrantRow } from '../authorizations/grant-repository.js';
import { usableUser } from '../reservations/reservation-service.js';
import type { RightsDeps } from '../reservations/rights-deps.js';
import type { TaskInput } from './task-fields.js';
import type { TaskRow } from './task-repository.js';
import { TaskStateMachine } from './task-state.js';

/** The parts of the rights subsystem a task's hand-over uses: the one grant path, method 1. */
export interface HandoverRights {
  authorizations: Pick<AuthorizationService, 'authorize' | 'revoke' | 'heldBoxes'>;
  grants: Pick<GrantRepository, 'activeForBox'>;
  users: Pick<RightsDeps['users'], 'get'>;
}

/** What a task names for its hand-over, and to whom it goes. */
type Pairing = Pick<
  TaskRow,
  'publisher_id' | 'collector_id' | 'cabinet_id' | 'box_no' | 'handover' | 'state'
>;

const sameBox = (a: Pairing, b: Pairing) => a.cabinet_id === b.cabinet_id && a.box_no === b.box_no;

/**
 * The locker hand-over of a task (ADR 0012): the publisher's right to the task's box (pickup: their
 * parcel is in it; deposit: they reserved it) is handed to the linked collector through the
 * AuthorizationService, as if the publisher had called POST /v1/authorizations. The task's grant is
 * the box's live grant from the publisher to the collector; no second record of it is kept.
 */
export class TaskHandover {
  constructor(
    private readonly rights: HandoverRights,
    private readonly logger: Logger,
  ) {}

  /** The live grant of the task's box from its publisher to its collector, if any. */
  async grantOf(t: Pairing): Promise<GrantRow | undefined> {
    if (!t.cabinet_id || !t.box_no || !t.collector_id) return undefined;
    const live = await this.rights.grants.activeForBox(t.cabinet_id, t.box_no);
    return live && live.holder_id === t.publisher_id && live.grantee_id === t.collector_id ? live : undefined;
  }

  /**
   * Before the publisher links a collector to a task with a box: they must hold the right the task
   * names, or already have handed it on for this task (a change of collector hands it on anew).
   */
  async check(next: Pairing, current?: Pairing): Promise<void> {
    if (!next.cabinet_id || !next.box_no || !next.collector_id) return;
    const { cabinet_id: siteNo, box_no: boxNo } = next;
    // The collector types their phone number at the cabinet: without one the grant cannot be used.
    usableUser(await this.rights.users.get(next.collector_id), 'GRANTEE_DISABLED');
    const live = await this.rights.grants.activeForBox(siteNo, boxNo);
    if (live) {
      const ours = current && sameBox(current, next) && (await this.grantOf(current))?.id === live.id;
      if (ours && live.kind === (next.handover ?? 'pickup')) return;
      if (live.holder_id === next.publisher_id) {
        throw new LockerError('BOX_ALREADY_GRANTED', `box ${boxNo} at ${siteNo} is already granted`);
      }
      throw new LockerError('NOT_THE_HOLDER', `you do not hold box ${boxNo} at ${siteNo}`);
    }
    const held = (await this.rights.authorizations.heldBoxes(next.publisher_id)).find(
      (b) => b.siteNo === siteNo && b.boxNo === boxNo,
    );
    const kind = next.handover ?? 'pickup';
    if (!held || held.right !== kind) {
      throw new LockerError('NOT_THE_HOLDER', `you hold no ${kind} right to box ${boxNo} at ${siteNo}`, {
        siteNo,
        boxNo,
        kind,
      });
    }
  }

  /** The publisher hands the task's box to its collector (POST /v1/tasks/{id}/handover). */
  async grant(t: Pairing): Promise<GrantView> {
    if (!t.cabinet_id || !t.box_no) {
      throw new LockerError('VALIDATION_FAILED', 'the task names no cabinet and box to hand over');
    }
    if (!t.collector_id) throw new LockerError('TASK_STATE_INVALID', 'the task has no collector yet');
    TaskStateMachine.assert(t.state, 'handover');
    await this.check(t);
    return this.rights.authorizations.authorize(t.publisher_id, {
      siteNo: t.cabinet_id,
      boxNo: t.box_no,
      grantee: t.collector_id,
    });
  }

  /**
   * After a move: the grant of a pairing that ended (the collector left or changed, the box changed,
   * the task was deleted or cancelled) is revoked; when the publisher's move linked a collector to a
   * box (`link`), the box is handed on. A failure here leaves the move done and is logged: the
   * publisher may hand over again with POST /v1/tasks/{id}/handover or a repeated ct=FIX.
   */
  async follow(before: Pairing | undefined, after: Pairing, link: boolean): Promise<GrantView | undefined> {
    const old = before ? await this.grantOf(before) : undefined;
    const kept =
      !!old &&
      !!before &&
      before.collector_id === after.collector_id &&
      sameBox(before, after) &&
      TaskStateMachine.can(after.state, 'handover');
    if (old && !kept) {
      try {
        await this.rights.authorizations.revoke(old.holder_id, old.id);
      } catch (err) {
        this.logger.warn({ err, grantId: old.id }, 'task hand-over grant not revoked');
      }
    }
    if (kept || !link || !after.collector_id || !after.cabinet_id) return undefined;
    try {
      return await this.grant(after);
    } catch (err) {
      this.logger.warn({ err, box: after.box_no }, 'task hand-over not granted on link');
      return undefined;
    }
  }
}

/** The hand-over a publisher's link would make: their box, to the collector. */
export function pairingOf(publisher: string, collector: string, input: TaskInput): Pairing {
  return {
    publisher_id: publisher,
    collector_id: collector,
    cabinet_id: input.cabinet ?? null,
    box_no: input.box ?? null,
    handover: input.cabinet ? (input.handover ?? 'pickup') : null,
    state: 'linked' as const,
  };
}
