import type { SessionView } from '../flows/session-store.js';
import type { KioskSession, SessionStatus } from './kiosk-api-types.js';

/**
 * The status code of a session, from its state (ADR 0011). The flows keep writing an English `message`
 * (the fallback, and what logs and older screens read); the page words the code in its own language.
 */
export function statusOf(v: SessionView): SessionStatus {
  const boxNo = v.boxNo ?? undefined;
  const at = boxNo ? { boxNo } : {};
  const deposit = v.kind === 'deposit' || v.kind === 'grant_deposit';
  switch (v.state) {
    case 'open':
      if (deposit && v.awaitingConfirm) return { code: 'DEPOSIT_CONFIRM_PARCEL', details: at };
      if (deposit && v.reopened) return { code: 'DEPOSIT_CLOSED_EMPTY', details: at };
      return { code: 'SESSION_OPENING', details: at };
    case 'door_open':
      if (v.kind === 'recollect')
        return { code: 'RECOLLECT_DOOR_OPEN', details: { ...at, remaining: v.remaining ?? 0 } };
      if (deposit) return { code: v.reopened ? 'DEPOSIT_REOPENED' : 'DEPOSIT_DOOR_OPEN', details: at };
      return { code: 'PICKUP_DOOR_OPEN', details: at };
    case 'completed':
      if (v.kind === 'recollect')
        return { code: 'RECOLLECT_DONE', details: { taken: v.recollected, notOpened: v.boxesTried } };
      return { code: deposit ? 'DEPOSIT_DONE' : 'PICKUP_DONE', details: at };
    case 'cancelled':
      if (v.abandoned) return { code: 'DEPOSIT_ABANDONED', details: at };
      return { code: v.timedOut ? 'SESSION_TIMED_OUT' : 'SESSION_CANCELLED', details: at };
    default:
      return { code: 'SESSION_FAILED', details: at };
  }
}

export function kioskSession(v: SessionView): KioskSession {
  return { ...v, error: v.error as KioskSession['error'], status: statusOf(v) };
}
