import { type BoxNo, LockerError } from '@locker/protocol';
import { releaseExpiredReservations } from '../desired/grant-expiry.js';
import type { EdgeEventBus } from '../event-bus.js';
import { nextSize } from './box-allocator.js';
import { completeDeposit, completePickup } from './completion.js';
import { type DepositRequest, moveToNextBox, openDepositBox, startDeposit } from './deposit-flow.js';
import { type FlowDeps, failWith, openBox } from './flow-context.js';
import { type GrantTokenRequest, useGrantToken } from './grant-token-flow.js';
import { type GrantUseRequest, type PickupRequest, startPickup, useGrant } from './pickup-flow.js';
import {
  completeRecollect,
  countRecollectable,
  type RecollectRequest,
  skipRecollectBox,
  startRecollect,
} from './recollect-flow.js';
import { ACTIVE_STATES, type SessionRecord, type SessionView, viewOf } from './session-store.js';

export type Problem = 'did_not_open' | 'too_small' | 'box_occupied' | 'box_broken';

const DAY = 86_400_000;

const isDeposit = (s: SessionRecord) => s.kind === 'deposit' || s.kind === 'grant_deposit';

/**
 * Runs the cabinet's flows: starts sessions for the kiosk and drives them from the door sensors. A session
 * ends when the sensors say so (door seen open, then closed), whoever saw it: the live monitor, or the
 * restart recovery after a power cut.
 */
export class FlowEngine {
  private timer: NodeJS.Timeout | undefined;
  private off: (() => void) | undefined;
  private readonly pending = new Set<BoxNo>();
  /** Sessions found active at start: their person may be long gone, so no door is unlocked for them. */
  private readonly inherited = new Set<string>();

  constructor(
    private readonly deps: FlowDeps,
    private readonly bus: EdgeEventBus,
  ) {}

  async start(): Promise<void> {
    this.deps.hasher.load();
    this.recover();
    this.off = this.bus.on('boxChanged', (b) => this.schedule(b.boxNo));
    this.timer = setInterval(() => this.sweep(), this.deps.config.flows.sweepIntervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.off?.();
  }

  pickup(req: PickupRequest): Promise<SessionView> {
    return startPickup(this.deps, req).then(viewOf);
  }

  deposit(req: DepositRequest): Promise<SessionView> {
    return startDeposit(this.deps, req).then(viewOf);
  }

  useGrant(req: GrantUseRequest): Promise<SessionView> {
    return useGrant(this.deps, req).then(viewOf);
  }

  useGrantToken(req: GrantTokenRequest): Promise<SessionView> {
    return useGrantToken(this.deps, req).then(viewOf);
  }

  recollect(req: RecollectRequest): Promise<SessionView> {
    return startRecollect(this.deps, req).then(viewOf);
  }

  recollectable(req: RecollectRequest): Promise<number> {
    return countRecollectable(this.deps, req);
  }

  get(id: string): SessionView {
    const s = this.session(id);
    return viewOf(s, s.state === 'completed' ? this.deps.sessions.takeCodes(id) : undefined);
  }

  /** The newest running session, for a screen that was reloaded; its codes are never in it. */
  current(): SessionView | undefined {
    const s = this.deps.sessions.active().at(-1);
    return s && viewOf(s);
  }

  async report(id: string, problem: Problem): Promise<SessionView> {
    const s = this.activeSession(id);
    const boxNo = s.boxNo as BoxNo;
    const d = this.deps;
    d.store.tx(() => {
      if (problem === 'too_small') return;
      const usage = problem === 'box_broken' ? 'out_of_service' : 'blocked';
      if (d.boxes.get(boxNo).usage !== 'out_of_service') d.boxes.apply(boxNo, { usage }, 'flow');
      d.alarms.raise('box_reported', `box:${boxNo}`, `box ${boxNo} reported at the kiosk: ${problem}`, {
        boxNo,
      });
    });
    if (s.kind === 'recollect') return viewOf(await skipRecollectBox(d, s, boxNo));
    if (s.kind === 'deposit') {
      const current = d.boxes.get(boxNo).size;
      const size = problem === 'too_small' ? nextSize(current) : (s.data.size ?? current);
      if (!size) {
        return viewOf(
          failWith(d, s, new LockerError('NO_BOX_AVAILABLE', 'There is no larger box in this cabinet.')),
        );
      }
      const moved = moveToNextBox(d, s, size, boxNo);
      return viewOf(moved.state === 'failed' ? moved : await openDepositBox(d, moved, size));
    }
    const message =
      s.kind === 'grant_deposit'
        ? `Box ${boxNo} cannot be used now; your right stays valid. Staff have been alerted.`
        : `Box ${boxNo} cannot be used now; your code stays valid. Staff have been alerted.`;
    return viewOf(failWith(d, s, new LockerError('BOX_NOT_AVAILABLE', message, { boxNo })));
  }

  cancel(id: string): SessionView {
    const s = this.activeSession(id);
    const next = this.deps.sessions.update(s, { state: 'cancelled', data: { message: 'Cancelled.' } });
    this.deps.logger.info({ sessionId: id, boxNo: s.boxNo }, 'session cancelled');
    return viewOf(next);
  }

  /**
   * After a restart: finish what the sensors show finished while the daemon was down. A deposit still
   * running is marked: nobody saw the parcel go in, so its door closing without the occupancy sensor
   * saying "occupied" abandons it instead of making a parcel whose code nobody saw (ADR 0011).
   */
  recover(): void {
    for (const s of this.deps.sessions.active()) {
      this.inherited.add(s.id);
      if (isDeposit(s) && !s.data.recovered) this.deps.sessions.update(s, { data: { recovered: true } });
      if (s.boxNo) this.evaluate(s.boxNo, true);
    }
  }

  /** The courier says the parcel is in a box with no occupancy sensor: now the code is issued. */
  confirmParcel(id: string): SessionView {
    const s = this.activeSession(id);
    const box = this.deps.boxes.find(s.boxNo as BoxNo);
    if (!isDeposit(s) || !s.data.awaitingConfirm || box?.door !== 'closed') {
      throw new LockerError('INVALID_TRANSITION', 'There is no closed deposit box to confirm.', {
        boxNo: s.boxNo,
      });
    }
    const done = completeDeposit(this.deps, s);
    return viewOf(done, done.state === 'completed' ? this.deps.sessions.takeCodes(id) : undefined);
  }

  /** Expiry of parcels, timeouts of idle sessions, lockouts that ran out, old rows. */
  sweep(now = Date.now()): void {
    const d = this.deps;
    try {
      d.parcels.expireDue(new Date(now).toISOString());
      releaseExpiredReservations(d.store, d.boxes, new Date(now).toISOString());
      d.limiter.sweep(now);
      const timeout = d.config.flows.sessionTimeoutSec * 1000;
      for (const s of d.sessions.active()) {
        const box = s.boxNo ? d.boxes.find(s.boxNo) : undefined;
        if (box?.door === 'open') continue;
        if (s.state === 'door_open' && s.boxNo) this.evaluate(s.boxNo, false);
        else if (now - Date.parse(s.updatedAt) > timeout && s.data.awaitingConfirm && s.boxNo) {
          this.abandon(s, s.boxNo, 'nobody confirmed the parcel is inside');
        } else if (now - Date.parse(s.updatedAt) > timeout) {
          d.sessions.update(s, {
            state: 'cancelled',
            data: { timedOut: true, message: 'The session timed out.' },
          });
        }
      }
      d.codes.purge(new Date(now - 30 * DAY).toISOString());
      d.sessions.purge(new Date(now - DAY).toISOString());
    } catch (err) {
      d.logger.error({ err }, 'sweep failed');
    }
  }

  /** Box changes come in bursts (door and occupancy from one reading): look once they have all landed. */
  private schedule(boxNo: BoxNo): void {
    if (this.pending.has(boxNo)) return;
    this.pending.add(boxNo);
    setImmediate(() => {
      this.pending.delete(boxNo);
      try {
        this.evaluate(boxNo, false);
      } catch (err) {
        this.deps.logger.error({ err, boxNo }, 'flow evaluation failed');
      }
    });
  }

  private evaluate(boxNo: BoxNo, recovering: boolean): void {
    const d = this.deps;
    const s = d.sessions.activeForBox(boxNo);
    const box = d.boxes.find(boxNo);
    if (!s || !box) return;
    const depositing = isDeposit(s);
    if (box.door === 'open') {
      if (s.state === 'open') d.sessions.update(s, { state: 'door_open', data: { awaitingConfirm: false } });
      return;
    }
    if (box.door !== 'closed') return;
    if (s.state === 'door_open') {
      if (!depositing) this.taken(s, recovering);
      else if (box.occupancy === 'occupied') completeDeposit(d, s);
      // Only the occupancy sensor proves a parcel nobody watched go in (after a restart).
      else if (recovering || s.data.recovered)
        this.abandon(s, boxNo, `the box is ${box.occupancy} after a restart`);
      else if (box.occupancy === 'empty') this.closedEmpty(s, boxNo);
      // No occupancy sensor: the courier, who is at the screen, says whether the parcel is in.
      else d.sessions.update(s, { state: 'open', data: { awaitingConfirm: true } });
      return;
    }
    // An `open` session with a shut door: during recovery the occupancy sensor tells whether the person
    // used the box while the daemon was down; a confirmation nobody gave is not given by the restart.
    if (recovering && depositing && s.data.awaitingConfirm)
      this.abandon(s, boxNo, 'nobody confirmed the parcel');
    else if (recovering && depositing && box.occupancy === 'occupied') completeDeposit(d, s);
    if (recovering && !depositing && box.occupancy === 'empty') this.taken(s, recovering);
  }

  /** A deposit the person left: no parcel is made of it, the box is free, and staff are asked to look. */
  private abandon(s: SessionRecord, boxNo: BoxNo, why: string): void {
    const d = this.deps;
    d.store.tx(() => {
      d.sessions.update(s, {
        state: 'cancelled',
        data: { abandoned: true, awaitingConfirm: false, message: `Deposit in box ${boxNo} abandoned.` },
      });
      d.alarms.raise(
        'box_reported',
        `box:${boxNo}`,
        `deposit in box ${boxNo} abandoned (${why}): please check the box is empty`,
        { boxNo },
      );
    });
    d.logger.warn({ sessionId: s.id, boxNo, why }, 'deposit abandoned');
  }

  /** A door seen open then closed on a box something was to be taken from. */
  private taken(s: SessionRecord, recovering: boolean): void {
    if (s.kind === 'recollect') completeRecollect(this.deps, s, !recovering);
    else completePickup(this.deps, s);
  }

  /** A deposit door closed on an empty box: open it once more, then give the session back to the person. */
  private closedEmpty(s: SessionRecord, boxNo: BoxNo): void {
    const d = this.deps;
    // A session from before a restart never reopens by itself: nobody may be at the door, and the
    // unlock would race the restart's reconciliation of the stored doors (ADR 0008).
    if (s.data.reopened || this.inherited.has(s.id)) {
      d.sessions.update(s, {
        state: 'open',
        data: { message: `Box ${boxNo} was closed empty. Cancel, or report a problem to get another box.` },
      });
      return;
    }
    const next = d.sessions.update(s, {
      state: 'open',
      data: {
        reopened: true,
        message: `Box ${boxNo} is empty. Opening it again: put the parcel in and close the door.`,
      },
    });
    void openBox(d, boxNo, 'retry').then((outcome) => {
      const fresh = d.sessions.get(next.id);
      if (outcome.kind === 'opened' && fresh?.state === 'open')
        d.sessions.update(fresh, { state: 'door_open' });
    });
  }

  private session(id: string): SessionRecord {
    const s = this.deps.sessions.get(id);
    if (!s) throw new LockerError('SESSION_NOT_FOUND', 'No such session.');
    return s;
  }

  private activeSession(id: string): SessionRecord {
    const s = this.session(id);
    if (!ACTIVE_STATES.includes(s.state) || !s.boxNo) {
      throw new LockerError('SESSION_CLOSED', `This session is already ${s.state}.`);
    }
    return s;
  }
}
