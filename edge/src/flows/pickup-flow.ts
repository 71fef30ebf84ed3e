import { checkAccess, LockerError } from '@locker/protocol';
import { refuseDepositsWhenOutOfService } from '../desired/cabinet-service.js';
import type { Grant } from '../desired/credential-store.js';
import { openDepositBox } from './deposit-flow.js';
import {
  assertCanServe,
  type FlowDeps,
  failWith,
  markNotOpened,
  notOpenedError,
  openBox,
} from './flow-context.js';
import { emptyData, type SessionRecord } from './session-store.js';

/** Secret fields carry unambiguous names, so the shared log redaction catches them (ADR 0009). */
export type PickupRequest = { pickupCode: string } | { pickupToken: string };
export interface GrantUseRequest {
  userNo: string;
  accessCode: string;
  boxNo?: string | undefined;
}

/** Pickup with a code or QR token issued at this cabinet: verified locally, so it works offline. */
export async function startPickup(deps: FlowDeps, req: PickupRequest): Promise<SessionRecord> {
  // Before the code is counted: an out-of-order cabinet costs nobody a try.
  assertCanServe(deps);
  const kind = 'pickupCode' in req ? 'code' : 'token';
  const value = 'pickupCode' in req ? req.pickupCode : req.pickupToken;
  const attempt = deps.limiter.reserve(`${kind}:${deps.hasher.hash(kind, value).slice(0, 16)}`, {
    cabinetWide: true,
  });
  const row = deps.codes.find(kind, value);
  if (!row) {
    const left = attempt.fail();
    throw new LockerError(
      'CODE_INVALID',
      left > 0 ? `That code is not valid. ${left} tries left.` : 'That code is not valid.',
      { ...triesOf(deps, left), cabinetTriesLeft: deps.limiter.cabinetTriesLeft() },
    );
  }
  const parcel = deps.parcels.get(row.parcel_id);
  if (row.used_at || !parcel || parcel.state === 'picked_up') {
    attempt.release();
    throw new LockerError('CODE_USED', 'This code has already been used.');
  }
  // A recollected parcel was expired first: its holder hears the same answer as before the courier came.
  if (
    parcel.state === 'expired' ||
    parcel.state === 'recollected' ||
    Date.parse(row.expires_at) <= Date.now()
  ) {
    attempt.release();
    throw new LockerError('CODE_EXPIRED', 'This parcel was not collected in time and waits for the courier.');
  }
  attempt.succeed();
  return openForPickup(deps, parcel.parcelId, parcel.boxNo, { via: kind, grantId: null, userNo: null });
}

/** The patent's flow at the cabinet: the holder or grantee identifies and their box opens. */
export async function useGrant(deps: FlowDeps, req: GrantUseRequest): Promise<SessionRecord> {
  assertCanServe(deps);
  // Reserved before the checks (older grants' are a slow scrypt), so parallel tries cannot pass the limit.
  const attempt = deps.limiter.reserve(`user:${req.userNo}`, { cabinetWide: true });
  const candidates = deps.credentials.grantsOf(req.userNo).filter((g) => !req.boxNo || g.boxNo === req.boxNo);
  let match: Grant | undefined;
  let keyMissing = false;
  for (const g of candidates) {
    const outcome = await checkAccess(req.accessCode, g.grantId, g.access, deps.accessKeys);
    if (outcome === 'match') {
      match = g;
      break;
    }
    if (outcome === 'key-missing') keyMissing = true;
  }
  if (!match && keyMissing) {
    // Not the person's fault: the cabinet lacks the key to check (the access_key_missing alarm says so).
    attempt.release();
    throw new LockerError(
      'ACCESS_KEY_MISSING',
      'This cabinet cannot check access codes right now. Staff have been alerted.',
    );
  }
  if (!match) {
    const left = attempt.fail();
    throw new LockerError(
      'CREDENTIAL_INVALID',
      left > 0
        ? `User number or access code not recognised. ${left} tries left.`
        : 'User number or access code not recognised.',
      { ...triesOf(deps, left), cabinetTriesLeft: deps.limiter.cabinetTriesLeft() },
    );
  }
  attempt.succeed();
  return openWithRight(deps, match);
}

/** A right the person has proved, by access code or by signed token: what the cabinet opens for. */
export type ProvedRight = Pick<Grant, 'grantId' | 'kind' | 'boxNo' | 'userNo' | 'expiresAt'> & {
  /** A pickup right bound to one parcel (a signed token names it). */
  parcelId?: string | undefined;
};

/** Opens the box of a proved right: its parcel for a pickup right, the empty box for a deposit. */
export async function openWithRight(deps: FlowDeps, right: ProvedRight): Promise<SessionRecord> {
  if (Date.parse(right.expiresAt) <= Date.now()) {
    throw new LockerError('CREDENTIAL_EXPIRED', `Your right to box ${right.boxNo} has expired.`, {
      boxNo: right.boxNo,
    });
  }
  const box = deps.boxes.get(right.boxNo);
  if (right.kind === 'pickup') {
    const parcel = deps.parcels.inBox(right.boxNo);
    if (!parcel || (right.parcelId && parcel.parcelId !== right.parcelId))
      throw new LockerError('BOX_NOT_AVAILABLE', `There is nothing to pick up in box ${right.boxNo}.`, {
        boxNo: right.boxNo,
      });
    return openForPickup(deps, parcel.parcelId, right.boxNo, {
      via: 'grant',
      grantId: right.grantId,
      userNo: right.userNo,
    });
  }
  refuseDepositsWhenOutOfService(deps.store);
  if (box.usage !== 'reserved' && box.usage !== 'free') {
    throw new LockerError(
      'BOX_NOT_AVAILABLE',
      `Box ${right.boxNo} cannot be used right now. Staff have been alerted.`,
      { boxNo: right.boxNo },
    );
  }
  const session = deps.store.tx(() => {
    if (deps.sessions.activeForBox(right.boxNo)) {
      throw new LockerError('SESSION_ACTIVE', `Box ${right.boxNo} is being used right now.`, {
        boxNo: right.boxNo,
      });
    }
    return deps.sessions.create('grant_deposit', right.boxNo, {
      ...emptyData(`Opening box ${right.boxNo}...`),
      size: box.size,
      userNo: right.userNo,
      grantId: right.grantId,
    });
  });
  return openDepositBox(deps, session, box.size);
}

/** Honest counts for the screen: this credential's own tries, and how many it has had (ADR 0011). */
function triesOf(deps: FlowDeps, left: number): { triesLeft: number; failures: number } {
  return { triesLeft: left, failures: deps.config.attempts.perCredential - left };
}

async function openForPickup(
  deps: FlowDeps,
  parcelId: string,
  boxNo: string,
  who: { via: 'code' | 'token' | 'grant'; grantId: string | null; userNo: string | null },
): Promise<SessionRecord> {
  const box = deps.boxes.get(boxNo);
  const session = deps.store.tx(() => {
    const active = deps.sessions.activeForParcel(parcelId) ?? deps.sessions.activeForBox(boxNo);
    if (active) {
      throw new LockerError('SESSION_ACTIVE', `Box ${boxNo} is already open for this parcel.`, {
        sessionId: active.id,
        boxNo,
      });
    }
    if (box.usage === 'out_of_service' || box.usage === 'blocked') {
      throw new LockerError(
        'BOX_NOT_AVAILABLE',
        `Box ${boxNo} cannot be opened right now. Staff have been alerted.`,
        { boxNo },
      );
    }
    // The code stays valid: it was right, only the board behind the box does not answer.
    const refusal = deps.lock.refusal(box.board, true);
    if (refusal) throw refusal;
    return deps.sessions.create(who.grantId ? 'grant_pickup' : 'pickup', boxNo, {
      ...emptyData(`Opening box ${boxNo}...`),
      size: box.size,
      parcelId,
      ...who,
    });
  });
  const outcome = await openBox(deps, boxNo, who.grantId ? 'grant' : 'pickup');
  if (outcome.kind !== 'opened') {
    if (outcome.kind === 'not_opened') markNotOpened(deps, boxNo);
    const fresh = deps.sessions.get(session.id) ?? session;
    const error = outcome.kind === 'refused' ? outcome.error : notOpenedError(boxNo);
    // The sensor fail-safe may have tripped on this very unlock: say so rather than "try again".
    return failWith(deps, fresh, deps.lock.refusal(undefined, true) ?? error);
  }
  const fresh = deps.sessions.get(session.id) ?? session;
  if (fresh.state !== 'open') return fresh;
  return deps.sessions.update(fresh, {
    state: 'door_open',
    data: { message: `Box ${boxNo} is open. Take your parcel and close the door.` },
  });
}
