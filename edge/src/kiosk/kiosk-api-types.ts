/**
 * The kiosk API's answers as the touchscreen page sees them (docs/kiosk-api.md). The page's JSDoc
 * imports these types, so `tsc` checks the page against what the daemon sends (ADR 0011). This file
 * imports nothing (the page's type check runs without Node's types); the routes are typed with it, so
 * the daemon's values must fit these shapes.
 */
export type BoxNo = string;
export type BoxSize = 'small' | 'medium' | 'large' | 'xlarge';
export type KioskLocale = 'zh-CN' | 'en';

/** What a session's screen says, as a code with parameters; the page words it in its language. */
export type SessionStatusCode =
  | 'SESSION_OPENING'
  | 'DEPOSIT_DOOR_OPEN'
  | 'DEPOSIT_REOPENED'
  | 'DEPOSIT_CLOSED_EMPTY'
  | 'DEPOSIT_CONFIRM_PARCEL'
  | 'DEPOSIT_ABANDONED'
  | 'PICKUP_DOOR_OPEN'
  | 'RECOLLECT_DOOR_OPEN'
  | 'DEPOSIT_DONE'
  | 'PICKUP_DONE'
  | 'RECOLLECT_DONE'
  | 'SESSION_CANCELLED'
  | 'SESSION_TIMED_OUT'
  | 'SESSION_FAILED';

export interface SessionStatus {
  code: SessionStatusCode;
  details: { boxNo?: BoxNo; remaining?: number; taken?: number; notOpened?: BoxNo[] };
}

/** A session as the kiosk API answers it: the flow's view plus its status code. */
export interface KioskSession {
  id: string;
  kind: 'pickup' | 'deposit' | 'grant_deposit' | 'grant_pickup' | 'recollect';
  state: 'open' | 'door_open' | 'completed' | 'failed' | 'cancelled';
  boxNo: BoxNo | null;
  size: BoxSize | null;
  /** English fallback; the page words `status` instead. */
  message: string;
  parcelId: string | null;
  /** Only in the first answer after the deposit completed (ADR 0009). */
  pickupCode: string | null;
  pickupToken: string | null;
  error: KioskErrorBody | null;
  boxesTried: BoxNo[];
  remaining: number | null;
  reopened: boolean;
  recollected: number;
  /** The door is shut on a box with no occupancy sensor: POST .../parcel-inside issues the code. */
  awaitingConfirm: boolean;
  /** Cancelled as abandoned: no parcel was made of it, staff were asked to check the box. */
  abandoned: boolean;
  /** Cancelled because nothing happened for a while (not by the person). */
  timedOut: boolean;
  /** Completed deposit: the cloud got the code sealed and will tell the recipient (by phone, or through
   * the announced waybill); null: nobody is told, the courier hands the code on. */
  codeSentTo: 'phone' | 'waybill' | null;
  createdAt: string;
  updatedAt: string;
  status: SessionStatus;
}

export interface KioskErrorBody {
  code: string;
  /** English fallback; the page words `code` and `details` from its message files. */
  message: string;
  details?: {
    triesLeft?: number;
    /** How many wrong tries this very code (or user number) has had in the window. */
    failures?: number;
    cabinetTriesLeft?: number;
    retryAfterMs?: number;
    until?: string;
    boxNo?: BoxNo;
    size?: BoxSize;
    sessionId?: string;
  };
}

export interface KioskBox {
  boxNo: BoxNo;
  size: BoxSize;
  dimensionsCm: { width: number; height: number; depth: number };
}

export interface KioskLayout {
  columns: number;
  rows: number;
  /** cells[row][column]: a box number, repeated for a box that spans cells, or null. */
  cells: Array<Array<BoxNo | null>>;
}

/** GET /api/cabinet. */
export interface KioskCabinet {
  cabinetId: string;
  online: boolean;
  /** An operator took the whole cabinet out of service: no deposits, pickups still work. */
  outOfService: boolean;
  /** Every box is out of service: the page shows the maintenance screen. */
  maintenance: boolean;
  locale: KioskLocale;
  timeZone: string;
  hotline: string | null;
  sizes: Array<{ size: BoxSize; free: number }>;
  /** Wrong codes the cabinet still takes before each try must wait (ADR 0009). */
  cabinetTriesLeft: number;
  slowdown: { code: 'CODE_ENTRY_SLOWED'; until: string; retryAfterMs: number; message: string } | null;
  boxes: KioskBox[];
  layout: KioskLayout;
}
