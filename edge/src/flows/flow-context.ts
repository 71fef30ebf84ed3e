import { type BoxNo, isLockerError, LockerError } from '@locker/protocol';
import type { Logger } from 'pino';
import type { AlarmKeeper } from '../alarms/alarm-keeper.js';
import type { BoxStateMachine } from '../boxes/box-state-machine.js';
import type { EdgeConfig } from '../config.js';
import type { AttemptLimiter } from '../credentials/attempt-limiter.js';
import type { CodeHasher } from '../credentials/code-hasher.js';
import type { PickupCodes } from '../credentials/pickup-codes.js';
import type { CredentialStore } from '../desired/credential-store.js';
import type { LockService, UnlockPurpose } from '../lock/lock-service.js';
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
  limiter: AttemptLimiter;
  alarms: AlarmKeeper;
  sessions: SessionStore;
  allocator: BoxAllocator;
  config: EdgeConfig;
  logger: Logger;
}

/** Sends the unlock; any failure of the bus counts as "did not open" (the caller offers another box). */
export async function openBox(deps: FlowDeps, boxNo: BoxNo, purpose: UnlockPurpose): Promise<boolean> {
  try {
    const r = await deps.lock.open(boxNo, purpose);
    return r.confirmed;
  } catch (err) {
    if (!isLockerError(err)) throw err;
    deps.logger.warn({ boxNo, code: err.code }, 'unlock failed');
    return false;
  }
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
