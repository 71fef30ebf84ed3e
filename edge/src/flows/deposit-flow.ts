import { type BoxNo, type BoxSize, LockerError, verifyAgainst } from '@locker/protocol';
import { refuseDepositsWhenOutOfService } from '../desired/cabinet-service.js';
import type { CourierCredential } from '../desired/credential-store.js';
import {
  afterNotOpened,
  assertCanServe,
  type FlowDeps,
  failWith,
  noBoxError,
  openBox,
} from './flow-context.js';
import { emptyData, type SessionRecord } from './session-store.js';

export interface DepositRequest {
  courierId: string;
  pin: string;
  size: BoxSize;
  /** Links the deposit to a parcel announced in the cloud. */
  waybill?: string | undefined;
  /** Who the cloud notifies when the parcel was not announced. */
  recipientTel?: string | undefined;
}

/** Checks a courier's PIN against the verifier the cloud sent; wrong ones count toward a lockout. */
export async function verifyCourier(
  deps: FlowDeps,
  courierId: string,
  pin: string,
): Promise<CourierCredential> {
  // Reserved before the slow scrypt, so parallel tries cannot pass the limit; a courier is identified
  // and limited on their own, so logins stay out of the cabinet-wide count (ADR 0009).
  const attempt = deps.limiter.reserve(`courier:${courierId}`, { cabinetWide: false });
  const cred = deps.credentials.courier(courierId);
  const ok = cred ? await verifyAgainst(pin, cred.pin) : false;
  if (!cred || !ok) {
    const left = attempt.fail();
    throw new LockerError(
      'CREDENTIAL_INVALID',
      left > 0
        ? `Courier id or PIN not recognised. ${left} tries left.`
        : 'Courier id or PIN not recognised.',
      { triesLeft: left },
    );
  }
  attempt.succeed();
  if (cred.expiresAt && Date.parse(cred.expiresAt) <= Date.now()) {
    throw new LockerError(
      'CREDENTIAL_EXPIRED',
      'This courier credential has expired. Please contact your company.',
    );
  }
  return cred;
}

export async function startDeposit(deps: FlowDeps, req: DepositRequest): Promise<SessionRecord> {
  refuseDepositsWhenOutOfService(deps.store);
  assertCanServe(deps);
  await verifyCourier(deps, req.courierId, req.pin);
  const session = deps.store.tx(() => {
    const box = deps.allocator.pick(req.size);
    if (!box) throw noBoxError(deps, req.size, [], `No free ${req.size} box (or larger) right now.`);
    return deps.sessions.create('deposit', box.boxNo, {
      ...emptyData(`Opening box ${box.boxNo}...`),
      size: box.size,
      courierId: req.courierId,
      waybill: req.waybill ?? null,
      recipientTel: req.recipientTel ?? null,
    });
  });
  return openDepositBox(deps, session, req.size);
}

/**
 * Opens the session's box; a box whose door is not seen open is marked and the next free box of the
 * size (or larger) is tried, at most 2 boxes with unconfirmed unlocks per session (ADR 0008).
 */
export async function openDepositBox(
  deps: FlowDeps,
  start: SessionRecord,
  size: BoxSize,
): Promise<SessionRecord> {
  let s = start;
  for (;;) {
    const boxNo = s.boxNo as BoxNo;
    const outcome = await openBox(deps, boxNo, s.kind === 'grant_deposit' ? 'grant' : 'deposit');
    if (outcome.kind === 'opened') {
      const fresh = deps.sessions.get(s.id) ?? s;
      // The door monitor may already have moved the session on; only a still-open session is touched.
      if (fresh.state !== 'open') return fresh;
      return deps.sessions.update(fresh, {
        state: 'door_open',
        data: { message: `Box ${boxNo} is open. Put the parcel in and close the door.` },
      });
    }
    const { session, stop } = afterNotOpened(deps, s, boxNo, outcome);
    s = session;
    if (s.kind === 'grant_deposit') {
      return failWith(
        deps,
        s,
        stop && stop.code !== 'OPEN_NOT_DETECTED'
          ? stop
          : new LockerError(
              outcome.kind === 'failed' ? outcome.error.code : 'OPEN_NOT_DETECTED',
              `Box ${boxNo} did not open. Staff have been alerted; your right stays valid.`,
              { boxNo },
            ),
      );
    }
    if (stop) {
      const tried = [...s.data.boxesTried, boxNo];
      return deps.sessions.update(s, {
        state: 'failed',
        boxNo: null,
        data: { boxesTried: tried, error: stop.toBody(), message: stop.message },
      });
    }
    s = moveToNextBox(deps, s, size, boxNo);
    if (s.state === 'failed') return s;
  }
}

/** Gives up on the current box and moves the session to another free box (same transaction as the pick). */
export function moveToNextBox(deps: FlowDeps, s: SessionRecord, size: BoxSize, giveUp: BoxNo): SessionRecord {
  return deps.store.tx(() => {
    const tried = [...s.data.boxesTried, giveUp];
    const next = deps.allocator.pick(size, tried);
    if (!next) {
      const err = noBoxError(deps, size, tried, 'Sorry, no other suitable box is free right now.');
      return deps.sessions.update(s, {
        state: 'failed',
        boxNo: null,
        data: { boxesTried: tried, error: err.toBody(), message: err.message },
      });
    }
    return deps.sessions.update(s, {
      state: 'open',
      boxNo: next.boxNo,
      data: { boxesTried: tried, size: next.size, message: `Opening box ${next.boxNo} instead...` },
    });
  });
}
