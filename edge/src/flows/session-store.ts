import { randomBytes } from 'node:crypto';
import type { BoxNo, BoxSize, ErrorBody } from '@locker/protocol';
import { CodeHandoff } from '../credentials/code-handoff.js';
import type { IssuedCode } from '../credentials/pickup-codes.js';
import type { EdgeStore } from '../store/edge-store.js';

export type SessionKind = 'pickup' | 'deposit' | 'grant_deposit' | 'grant_pickup' | 'recollect';
export type SessionState = 'open' | 'door_open' | 'completed' | 'failed' | 'cancelled';
export const ACTIVE_STATES: readonly SessionState[] = ['open', 'door_open'];

export interface SessionData {
  message: string;
  size: BoxSize | null;
  parcelId: string | null;
  via: 'code' | 'token' | 'grant' | null;
  courierId: string | null;
  userNo: string | null;
  grantId: string | null;
  boxesTried: BoxNo[];
  // No pickup code or token here: they are never stored in plain (ADR 0009); see CodeHandoff.
  error: ErrorBody | null;
  /** The box was unlocked again after being closed empty (only once). */
  reopened: boolean;
  /** recollect: the courier's company (from the credential), which widens the parcels they may take. */
  company: string | null;
  /** recollect: parcels taken back so far in this session. */
  recollected: number;
  /** recollect: expired parcels still to open after the current one. */
  remaining: number | null;
  /** Unlocks in this session whose door the sensor did not see open (at most 2, ADR 0008). */
  unconfirmed: number;
  /** deposit on a box with no occupancy sensor: the door is shut, the courier must say the parcel is in. */
  awaitingConfirm?: boolean;
  /** The daemon restarted while this session ran: a door closing now on an unproven box abandons it. */
  recovered?: boolean;
  /** Ended without a parcel: left by the person (after a restart, or unconfirmed); an alarm was raised. */
  abandoned?: boolean;
  /** deposit: the waybill the courier typed, linking the parcel to its announcement in the cloud. */
  waybill?: string | null;
  /** deposit: the recipient's phone, when the parcel was not announced. */
  recipientTel?: string | null;
  /** cancelled by the sweeper: nothing happened for `flows.sessionTimeoutSec`. */
  timedOut?: boolean;
  /** completed deposit: the code went to the cloud sealed, with whom to tell (ADR 0013). */
  codeSentTo?: 'phone' | 'waybill' | null;
}

export interface SessionRecord {
  id: string;
  kind: SessionKind;
  state: SessionState;
  boxNo: BoxNo | null;
  data: SessionData;
  createdAt: string;
  updatedAt: string;
}

/** What GET /api/sessions/{id} answers (docs/kiosk-api.md). */
export interface SessionView {
  id: string;
  kind: SessionKind;
  state: SessionState;
  boxNo: BoxNo | null;
  size: BoxSize | null;
  message: string;
  parcelId: string | null;
  /** Only in the first answer after the deposit completed (ADR 0009); null in every other one. */
  pickupCode: string | null;
  pickupToken: string | null;
  error: ErrorBody | null;
  boxesTried: BoxNo[];
  /** recollect only: further expired parcels this session will open after the current one. */
  remaining: number | null;
  /** deposit: the box was closed empty and unlocked again (the screen says so). */
  reopened: boolean;
  /** recollect only: parcels taken back so far. */
  recollected: number;
  /** deposit: the door is shut on a box with no occupancy sensor; the courier confirms the parcel is in. */
  awaitingConfirm: boolean;
  /** cancelled: the deposit was abandoned (no parcel was made of it; staff were asked to check the box). */
  abandoned: boolean;
  /** cancelled because nothing happened for a while (not by the person). */
  timedOut: boolean;
  /** completed deposit: the cloud got the code sealed and whom to tell (phone, or the announced waybill). */
  codeSentTo: 'phone' | 'waybill' | null;
  createdAt: string;
  updatedAt: string;
}

interface SessionRow {
  session_id: string;
  kind: SessionKind;
  state: SessionState;
  box_no: string | null;
  data: string;
  created_at: string;
  updated_at: string;
}

const toRecord = (r: SessionRow): SessionRecord => {
  // Rows of older versions held the code in plain; migration 4 removed it, and it is never read back.
  const {
    pickupCode: _c,
    pickupToken: _t,
    ...data
  } = JSON.parse(r.data) as Omit<SessionData, 'unconfirmed'> & {
    unconfirmed?: number;
    pickupCode?: unknown;
    pickupToken?: unknown;
  };
  return {
    id: r.session_id,
    kind: r.kind,
    state: r.state,
    boxNo: r.box_no,
    // Rows written before issue 14 have no unconfirmed count.
    data: { unconfirmed: 0, ...data },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
};

export function emptyData(message: string): SessionData {
  return {
    message,
    size: null,
    parcelId: null,
    via: null,
    courierId: null,
    userNo: null,
    grantId: null,
    boxesTried: [],
    error: null,
    reopened: false,
    company: null,
    recollected: 0,
    remaining: null,
    unconfirmed: 0,
  };
}

/**
 * Flow sessions live in the database, so a session survives a restart and the daemon can finish a
 * deposit or pickup whose door was closed while it was down.
 */
export class SessionStore {
  private readonly handoff = new CodeHandoff();

  constructor(private readonly store: EdgeStore) {}

  /** Keeps a deposit's freshly issued codes in memory for the one answer that shows them. */
  handOver(id: string, issued: IssuedCode): void {
    this.handoff.hold(id, issued);
  }

  /** The session's codes if they were not shown yet; they are forgotten as they are returned. */
  takeCodes(id: string): IssuedCode | undefined {
    return this.handoff.take(id);
  }

  create(kind: SessionKind, boxNo: BoxNo | null, data: SessionData): SessionRecord {
    const id = randomBytes(12).toString('base64url');
    const now = new Date().toISOString();
    this.store
      .prepare(
        'INSERT INTO sessions (session_id, kind, state, box_no, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, kind, 'open', boxNo, JSON.stringify(data), now, now);
    return { id, kind, state: 'open', boxNo, data, createdAt: now, updatedAt: now };
  }

  get(id: string): SessionRecord | undefined {
    const r = this.store.prepare('SELECT * FROM sessions WHERE session_id = ?').get(id) as
      | SessionRow
      | undefined;
    return r && toRecord(r);
  }

  update(
    s: SessionRecord,
    patch: { state?: SessionState; boxNo?: BoxNo | null; data?: Partial<SessionData> },
  ): SessionRecord {
    const next: SessionRecord = {
      ...s,
      ...(patch.state ? { state: patch.state } : {}),
      ...(patch.boxNo !== undefined ? { boxNo: patch.boxNo } : {}),
      data: { ...s.data, ...patch.data },
      updatedAt: new Date().toISOString(),
    };
    this.store
      .prepare('UPDATE sessions SET state = ?, box_no = ?, data = ?, updated_at = ? WHERE session_id = ?')
      .run(next.state, next.boxNo, JSON.stringify(next.data), next.updatedAt, s.id);
    return next;
  }

  active(): SessionRecord[] {
    const rows = this.store
      .prepare("SELECT * FROM sessions WHERE state IN ('open', 'door_open') ORDER BY created_at")
      .all() as SessionRow[];
    return rows.map(toRecord);
  }

  activeForBox(boxNo: BoxNo): SessionRecord | undefined {
    return this.active().find((s) => s.boxNo === boxNo);
  }

  activeForParcel(parcelId: string): SessionRecord | undefined {
    return this.active().find((s) => s.data.parcelId === parcelId);
  }

  heldBoxes(): Set<BoxNo> {
    return new Set(this.active().flatMap((s) => (s.boxNo ? [s.boxNo] : [])));
  }

  /** Final sessions are kept a day for the screen and diagnostics, then deleted. */
  purge(before: string): void {
    this.store
      .prepare("DELETE FROM sessions WHERE state NOT IN ('open', 'door_open') AND updated_at < ?")
      .run(before);
  }

  count(): Record<SessionState, number> {
    const out: Record<SessionState, number> = {
      open: 0,
      door_open: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    };
    const rows = this.store
      .prepare('SELECT state, COUNT(*) AS n FROM sessions GROUP BY state')
      .all() as Array<{
      state: SessionState;
      n: number;
    }>;
    for (const r of rows) out[r.state] = r.n;
    return out;
  }
}

/** The answer about a session; `shown` are the codes this one answer hands to the courier, if any. */
export function viewOf(s: SessionRecord, shown?: IssuedCode): SessionView {
  return {
    id: s.id,
    kind: s.kind,
    state: s.state,
    boxNo: s.boxNo,
    size: s.data.size,
    message: s.data.message,
    parcelId: s.data.parcelId,
    pickupCode: shown?.code ?? null,
    pickupToken: shown?.token ?? null,
    error: s.data.error,
    boxesTried: s.data.boxesTried,
    // Sessions stored before recollection existed have no such field.
    remaining: s.data.remaining ?? null,
    reopened: s.data.reopened ?? false,
    recollected: s.data.recollected ?? 0,
    awaitingConfirm: s.data.awaitingConfirm ?? false,
    abandoned: s.data.abandoned ?? false,
    timedOut: s.data.timedOut ?? false,
    codeSentTo: s.data.codeSentTo ?? null,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
