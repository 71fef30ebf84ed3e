import { type BoxNo, LockerError } from '@locker/protocol';
import { type Parcel, restingUsage } from '../parcels/parcel-store.js';
import { verifyCourier } from './deposit-flow.js';
import { afterNotOpened, assertCanServe, type FlowDeps, openBox } from './flow-context.js';
import { emptyData, type SessionRecord } from './session-store.js';

export interface RecollectRequest {
  courierId: string;
  pin: string;
}

/** Why the session gave up on a box: the sensor, or the courier reporting a problem at the screen. */
export type GiveUp = { boxNo: BoxNo; error: LockerError };

/**
 * Expired parcels the courier may take now, in box order. Boxes held by another session or set aside for
 * staff (blocked, out of service) are skipped: opening those is staff's job.
 */
function takeable(
  deps: FlowDeps,
  courierId: string,
  company: string | null,
  exclude: readonly BoxNo[] = [],
): Parcel[] {
  const held = deps.sessions.heldBoxes();
  return deps.parcels.recollectable(courierId, company).filter((p) => {
    const box = deps.boxes.find(p.boxNo);
    return (
      box !== undefined &&
      box.usage !== 'blocked' &&
      box.usage !== 'out_of_service' &&
      !held.has(p.boxNo) &&
      !exclude.includes(p.boxNo)
    );
  });
}

const nothing = () =>
  new LockerError('NOTHING_TO_RECOLLECT', 'There are no expired parcels for you to take back here.');

/** How many expired parcels the courier could take back now (the screen offers the button when > 0). */
export async function countRecollectable(deps: FlowDeps, req: RecollectRequest): Promise<number> {
  const cred = await verifyCourier(deps, req.courierId, req.pin);
  return takeable(deps, req.courierId, cred.company).length;
}

/** A courier takes expired parcels back: one session walks them through the boxes, one at a time. */
export async function startRecollect(deps: FlowDeps, req: RecollectRequest): Promise<SessionRecord> {
  assertCanServe(deps);
  const cred = await verifyCourier(deps, req.courierId, req.pin);
  const session = deps.store.tx(() => {
    const [first, ...rest] = takeable(deps, req.courierId, cred.company);
    if (!first) throw nothing();
    return deps.sessions.create('recollect', first.boxNo, {
      ...emptyData(`Opening box ${first.boxNo}...`),
      size: first.size,
      parcelId: first.parcelId,
      courierId: req.courierId,
      company: cred.company,
      remaining: rest.length,
    });
  });
  deps.logger.info({ sessionId: session.id, boxNo: session.boxNo }, 'recollection started');
  return openRecollectBox(deps, session);
}

/**
 * Opens the session's box; a door not seen open is marked for staff and the next parcel's box is tried,
 * at most 2 boxes with unconfirmed unlocks per session (ADR 0008).
 */
export async function openRecollectBox(deps: FlowDeps, start: SessionRecord): Promise<SessionRecord> {
  let s = start;
  for (;;) {
    const boxNo = s.boxNo as BoxNo;
    const outcome = await openBox(deps, boxNo, 'recollect');
    if (outcome.kind === 'opened') {
      const fresh = deps.sessions.get(s.id) ?? s;
      // The door monitor may already have moved the session on; only a still-open session is touched.
      if (fresh.state !== 'open' || fresh.boxNo !== boxNo) return fresh;
      return deps.sessions.update(fresh, { state: 'door_open', data: { message: openMessage(fresh) } });
    }
    const { session, stop } = afterNotOpened(deps, s, boxNo, outcome);
    const error =
      stop && stop.code !== 'OPEN_NOT_DETECTED'
        ? stop
        : new LockerError(
            'OPEN_NOT_DETECTED',
            `Box ${boxNo} did not open. Staff have been alerted and will take that parcel out.`,
            { boxNo },
          );
    s = deps.store.tx(() => {
      const fresh = deps.sessions.get(session.id) ?? session;
      // Cancelled (or timed out) while the unlock was under way: nothing more to open.
      if (fresh.state !== 'open') return fresh;
      if (!stop) return advance(deps, fresh, { boxNo, error });
      // No more boxes in this session: end it, telling what was taken and what stays.
      return finish(
        deps,
        { ...fresh, data: { ...fresh.data, boxesTried: [...fresh.data.boxesTried, boxNo] } },
        {
          boxNo,
          error,
        },
      );
    });
    if (s.state !== 'open') return s;
  }
}

/**
 * The courier took the parcel and closed the door: parcel recollected, box back to rest, its event and
 * the box change in one transaction. The session then moves to the next parcel, except during restart
 * recovery, where nobody may be standing at the cabinet to see a door spring open.
 */
export function completeRecollect(deps: FlowDeps, s: SessionRecord, goOn: boolean): void {
  const next = deps.store.tx(() => {
    const fresh = deps.sessions.get(s.id);
    if (!fresh || (fresh.state !== 'open' && fresh.state !== 'door_open') || !fresh.boxNo) return undefined;
    const boxNo = fresh.boxNo;
    const parcelId = fresh.data.parcelId;
    const courierId = fresh.data.courierId;
    if (parcelId && courierId) {
      // The pickup code is left as it is: it keeps answering CODE_EXPIRED, which is the truth for its holder.
      deps.parcels.markRecollected(parcelId, new Date().toISOString());
      deps.outbox.append('parcel.recollected', { boxNo, parcelId, courierId });
    }
    const box = deps.boxes.get(boxNo);
    if (box.usage === 'occupied') deps.boxes.apply(boxNo, { usage: restingUsage(deps.store, boxNo) }, 'flow');
    deps.logger.info({ boxNo, parcelId, sessionId: s.id }, 'parcel recollected');
    const done = deps.sessions.update(fresh, { data: { recollected: fresh.data.recollected + 1 } });
    if (!goOn) return finish(deps, done, null);
    return advance(deps, done, null);
  });
  if (next?.state === 'open') {
    openRecollectBox(deps, next).catch((err: unknown) =>
      deps.logger.error({ err, sessionId: next.id }, 'opening the next recollection box failed'),
    );
  }
}

/** The courier reported a problem with the box: it was marked by the caller; go on to the next parcel. */
export async function skipRecollectBox(
  deps: FlowDeps,
  s: SessionRecord,
  boxNo: BoxNo,
): Promise<SessionRecord> {
  const error = new LockerError(
    'BOX_NOT_AVAILABLE',
    `Box ${boxNo} cannot be used now. Staff have been alerted and will take that parcel out.`,
  );
  const moved = deps.store.tx(() => advance(deps, s, { boxNo, error }));
  return moved.state === 'open' ? openRecollectBox(deps, moved) : moved;
}

/** Points the session at the next parcel's box (state `open`, not yet unlocked), or ends it. In a tx. */
function advance(deps: FlowDeps, s: SessionRecord, giveUp: GiveUp | null): SessionRecord {
  const tried = giveUp ? [...s.data.boxesTried, giveUp.boxNo] : s.data.boxesTried;
  const [next, ...rest] = takeable(deps, s.data.courierId ?? '', s.data.company ?? null, tried);
  if (!next) return finish(deps, { ...s, data: { ...s.data, boxesTried: tried } }, giveUp);
  return deps.sessions.update(s, {
    state: 'open',
    boxNo: next.boxNo,
    data: {
      boxesTried: tried,
      size: next.size,
      parcelId: next.parcelId,
      remaining: rest.length,
      message: `Opening box ${next.boxNo}...`,
    },
  });
}

/** Ends the session: completed once anything was taken back, failed when the only box would not open. */
function finish(deps: FlowDeps, s: SessionRecord, giveUp: GiveUp | null): SessionRecord {
  const n = s.data.recollected;
  const patch = { boxesTried: s.data.boxesTried, parcelId: null, remaining: 0 };
  if (n === 0 && giveUp) {
    return deps.sessions.update(s, {
      state: 'failed',
      boxNo: giveUp.boxNo,
      data: { ...patch, error: giveUp.error.toBody(), message: giveUp.error.message },
    });
  }
  const taken = n === 1 ? '1 parcel' : `${n} parcels`;
  // Boxes given up on anywhere in the session, not just the last: the courier should know what stays.
  const left = s.data.boxesTried;
  const note =
    left.length === 0
      ? ''
      : ` Box ${left.join(', ')} could not be opened; staff will take ${left.length === 1 ? 'that parcel' : 'those parcels'} out.`;
  return deps.sessions.update(s, {
    state: 'completed',
    data: { ...patch, message: `Thank you. ${taken} taken back.${note}` },
  });
}

function openMessage(s: SessionRecord): string {
  const more = s.data.remaining ? ` ${s.data.remaining} more after this one.` : '';
  return `Box ${s.boxNo} is open. Take the expired parcel out and close the door.${more}`;
}
