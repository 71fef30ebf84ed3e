import { type AccessKeyring, type BoxNo, type BoxSize, isLockerError, LockerError } from '@locker/protocol';
import type { Logger } from 'pino';
import type { AlarmKeeper } from '../alarms/alarm-keeper.js';
import type { BoxStateMachine } from '../boxes/box-state-machine.js';
import type { EdgeConfig } from '../config.js';
import type { AttemptLimiter } from '../credentials/attempt-limiter.js';
import type { CodeHasher } from '../credentials/code-hasher.js';
import type { PickupCodes } from '../credentials/pickup-codes.js';
import type { CredentialStore } from '../desired/credential-store.js';
import type { GrantTokenStore } from '../desired/grant-token-store.js';
import type { LockService, UnlockPurpose } from '../lock/lock-service.js';
import { MAX_UNCONFIRMED_PER_SESSION } from '../lock/sensor-guard.js';
import type { ParcelStore } from '../parcels/parcel-store.js';
import type { EdgeStore } from '../store/edge-store.js';
import type { Outbox } from '../store/outbox.js';
import type { BoxAllocator } from './box-allocator.js';
import type { SessionRecord, SessionStore } from './session-store.js';

export interface FlowDeps {
  store: EdgeStore;
  outbox: Outbox;
  boxes: BoxStateMachine;
  lock: LockService;
  parcels: ParcelStore;
  codes: PickupCodes;
  hasher: CodeHasher;
  credentials: CredentialStore;
  /** The cabinet's access keys, which check grants' codes (ADR 0015). */
  accessKeys: AccessKeyring;
  /** The cloud's keys for signed grant tokens, revocations and uses (ADR 0017). */
  grantTokens: GrantTokenStore;
  limiter: AttemptLimiter;
  alarms: AlarmKeeper;
  sessions: SessionStore;
  allocator: BoxAllocator;
  config: EdgeConfig;
  logger: Logger;
}

/**
 * How one unlock of a flow ended: `opened` (the sensor saw the door open), `not_opened` (the unlock went
 * out and the door was not seen open), `failed` (the board's answer was lost: nothing known about the
 * door, the box is not blamed), or `refused` (nothing was sent: the cabinet or the board cannot serve,
 * and the person is told why at once).
 */
export type OpenOutcome =
  | { kind: 'opened' }
  | { kind: 'not_opened' }
  | { kind: 'failed'; error: LockerError }
  | { kind: 'refused'; error: LockerError };

/** Codes meaning no unlock frame went out: trying another box would not help. */
const REFUSALS: ReadonlySet<string> = new Set([
  'SENSOR_FAULT',
  'BUS_DOWN',
  'BUS_CLOSED',
  'BOARD_UNREACHABLE',
]);

export async function openBox(deps: FlowDeps, boxNo: BoxNo, purpose: UnlockPurpose): Promise<OpenOutcome> {
  try {
    const r = await deps.lock.open(boxNo, purpose);
    return r.confirmed ? { kind: 'opened' } : { kind: 'not_opened' };
  } catch (err) {
    if (!isLockerError(err)) throw err;
    deps.logger.warn({ boxNo, code: err.code }, 'unlock failed');
    return REFUSALS.has(err.code) ? { kind: 'refused', error: err } : { kind: 'failed', error: err };
  }
}

/**
 * Books an unlock that did not open into the session (the box is blocked for staff when the unlock went
 * out) and says whether the session may try another box: at most 2 unconfirmed unlocks per session, and
 * none once the cabinet-wide sensor fail-safe has tripped (ADR 0008). Returns the error to end with, or
 * undefined to go on.
 */
export function afterNotOpened(
  deps: FlowDeps,
  s: SessionRecord,
  boxNo: BoxNo,
  outcome: Exclude<OpenOutcome, { kind: 'opened' }>,
): { session: SessionRecord; stop: LockerError | undefined } {
  if (outcome.kind === 'refused') return { session: s, stop: refusalFor(outcome.error) };
  if (outcome.kind === 'not_opened') markNotOpened(deps, boxNo);
  const fresh = deps.sessions.get(s.id) ?? s;
  const session = deps.sessions.update(fresh, { data: { unconfirmed: fresh.data.unconfirmed + 1 } });
  const cabinet = deps.lock.refusal(undefined, true);
  if (cabinet) return { session, stop: cabinet };
  if (session.data.unconfirmed >= MAX_UNCONFIRMED_PER_SESSION) {
    const tried = [...session.data.boxesTried, boxNo].join(' and ');
    return {
      session,
      stop: new LockerError(
        'OPEN_NOT_DETECTED',
        `Box ${tried} did not open. Staff have been alerted; please try again later or call support.`,
      ),
    };
  }
  return { session, stop: undefined };
}

/** A refusal as the person reads it (BUS_CLOSED is the daemon stopping: the same to them as BUS_DOWN). */
function refusalFor(err: LockerError): LockerError {
  if (err.code !== 'BUS_CLOSED') return err;
  return new LockerError('BUS_DOWN', 'The cabinet cannot open doors right now. Please try again shortly.');
}

/** The sensor did not see the door open: the box is blocked until staff look at it, and they are told. */
export function markNotOpened(deps: FlowDeps, boxNo: BoxNo): void {
  deps.store.tx(() => {
    const box = deps.boxes.get(boxNo);
    if (box.usage !== 'out_of_service') deps.boxes.apply(boxNo, { usage: 'blocked' }, 'flow');
    deps.alarms.raise(
      'open_not_detected',
      `box:${boxNo}`,
      `box ${boxNo} was unlocked but its door was not seen open`,
      {
        boxNo,
      },
    );
  });
}

/** Refuses a flow at once when the cabinet cannot unlock for anyone (sensor fail-safe, bus down). */
export function assertCanServe(deps: FlowDeps): void {
  const refusal = deps.lock.refusal(undefined, true);
  if (refusal) throw refusal;
}

/**
 * The answer when no box can be picked: BOARD_UNREACHABLE when a box would be free but its board does
 * not answer (the person should hear that, not "no box"), NO_BOX_AVAILABLE otherwise.
 */
export function noBoxError(
  deps: FlowDeps,
  size: BoxSize,
  exclude: readonly BoxNo[],
  message: string,
): LockerError {
  const behindDeadBoard = deps.allocator.pick(size, exclude, true);
  if (behindDeadBoard) {
    return (
      deps.lock.refusal(behindDeadBoard.board, true) ?? new LockerError('NO_BOX_AVAILABLE', message, { size })
    );
  }
  return new LockerError('NO_BOX_AVAILABLE', message, { size });
}

export function failWith(deps: FlowDeps, s: SessionRecord, err: LockerError): SessionRecord {
  return deps.sessions.update(s, { state: 'failed', data: { error: err.toBody(), message: err.message } });
}

export function notOpenedError(boxNo: BoxNo): LockerError {
  return new LockerError(
    'OPEN_NOT_DETECTED',
    `Box ${boxNo} did not open. Your code is still valid; staff have been alerted. Please try again later.`,
    { boxNo },
  );
}

export function expiryFrom(deps: FlowDeps, now = Date.now()): string {
  return new Date(now + deps.config.flows.parcelExpiryHours * 3_600_000).toISOString();
}
