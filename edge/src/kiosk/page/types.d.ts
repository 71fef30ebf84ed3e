// Types of the page, for `tsc` over its JavaScript (checkJs, tsconfig.json here). The API's shapes come
// from the daemon's own declarations, so a change there fails the page's type check (ADR 0011).
export type {
  KioskBox,
  KioskCabinet,
  KioskErrorBody,
  KioskLayout,
  KioskSession,
  SessionStatus,
  SessionStatusCode,
} from '../kiosk-api-types.js';

import type { KioskCabinet } from '../kiosk-api-types.js';

export type ScreenName =
  | 'start'
  | 'pickup'
  | 'courier'
  | 'grant'
  | 'session'
  | 'done'
  | 'message'
  | 'maintenance';

export interface Screen {
  el: HTMLElement;
  /** Idle time after the last touch before the page goes back to the start (none: it stays). */
  idleMs?: number | (() => number);
  /** The screen is not left by idle before it has been shown this long. */
  minShowMs?: number;
  leave?: () => void;
  onKey?: (event: KeyboardEvent) => boolean;
  onPaste?: (text: string) => boolean;
  cabinetChanged?: (cabinet: KioskCabinet | null) => void;
  /** The params that show this screen again as it is now (after a language switch). */
  snapshot?: () => object;
}

export interface App {
  cabinet: KioskCabinet | null;
  /** A courier's credential, kept in memory so they can deposit several parcels in a row. */
  courier: { courierId: string; pin: string } | null;
  /** The box of the running session, for the simulator drawer to highlight. */
  activeBox: string | null;
  show(name: ScreenName, params?: object): void;
  home(): void;
  refreshCabinet(): Promise<KioskCabinet | null>;
  rerender(): void;
}
