import {
  type BoxNo,
  type BoxSize,
  type BoxState,
  type BoxUsage,
  type DoorState,
  type EventData,
  LockerError,
  type LockState,
  type Occupancy,
} from '@locker/protocol';
import type { Logger } from 'pino';
import type { BoxConfig } from '../config.js';
import type { EdgeEventBus } from '../event-bus.js';
import type { EdgeStore, Statements } from '../store/edge-store.js';
import type { Outbox } from '../store/outbox.js';

interface BoxRow {
  box_no: string;
  board: number;
  lock: number;
  size: BoxSize;
  enabled: number;
  door: DoorState;
  lock_state: LockState;
  occupancy: Occupancy;
  usage: BoxUsage;
  since: string;
}

export interface BoxRecord extends BoxState {
  board: number;
  lockNo: number;
  size: BoxSize;
  enabled: boolean;
}

export type BoxCause = EventData<'box.state_changed'>['cause'];

/**
 * What was observed (a door or occupancy reading, an unlock pulse sent) or decided (usage). The lock
 * state is never given: it is derived from these in one place, `lockAfter`.
 */
export interface BoxChange {
  door?: DoorState;
  occupancy?: Occupancy;
  usage?: BoxUsage;
  /** An unlock pulse went out to this box's lock (whether or not the door then opened). */
  unlocked?: true;
}

/** Which usage may follow which. Anything else is a bug in a flow, refused with INVALID_TRANSITION. */
const USAGE_TRANSITIONS: Record<BoxUsage, readonly BoxUsage[]> = {
  free: ['reserved', 'occupied', 'out_of_service', 'blocked'],
  reserved: ['free', 'occupied', 'out_of_service', 'blocked'],
  occupied: ['free', 'blocked', 'out_of_service'],
  out_of_service: ['free', 'occupied', 'blocked'],
  blocked: ['free', 'occupied', 'out_of_service'],
};

const SQL = {
  upsert: `INSERT INTO boxes (box_no, board, lock, size, since) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (box_no) DO UPDATE SET board = excluded.board, lock = excluded.lock, size = excluded.size, enabled = 1`,
  disableAll: 'UPDATE boxes SET enabled = 0',
  list: 'SELECT * FROM boxes WHERE enabled = 1 ORDER BY box_no',
  find: 'SELECT * FROM boxes WHERE box_no = ? AND enabled = 1',
  byAddress: 'SELECT * FROM boxes WHERE board = ? AND lock = ? AND enabled = 1',
  update: 'UPDATE boxes SET door = ?, lock_state = ?, occupancy = ?, usage = ?, since = ? WHERE box_no = ?',
} as const;

/**
 * The one place where a box's state changes. Every change is written with its `box.state_changed`
 * event in one transaction, then announced on the bus (the sync link publishes it retained).
 */
export class BoxStateMachine {
  private readonly q: Statements<keyof typeof SQL>;

  constructor(
    private readonly store: EdgeStore,
    private readonly outbox: Outbox,
    private readonly bus: EdgeEventBus,
    private readonly logger: Logger,
  ) {
    this.q = store.statements(SQL);
  }

  /** Makes the box table match the configured layout; existing boxes keep their state. */
  seed(layout: readonly BoxConfig[]): void {
    const now = new Date().toISOString();
    const upsert = this.q.upsert;
    this.store.tx(() => {
      // Boxes no longer in the layout are kept (with their history) but disabled.
      this.q.disableAll.run();
      for (const b of layout) upsert.run(b.boxNo, b.board, b.lock, b.size, now);
    });
  }

  list(): BoxRecord[] {
    const rows = this.q.list.all() as BoxRow[];
    return rows.map(toRecord);
  }

  find(boxNo: BoxNo): BoxRecord | undefined {
    const row = this.q.find.get(boxNo) as BoxRow | undefined;
    return row && toRecord(row);
  }

  get(boxNo: BoxNo): BoxRecord {
    const box = this.find(boxNo);
    if (!box) throw new LockerError('BOX_NOT_FOUND', `no box ${boxNo} in this cabinet`);
    return box;
  }

  byAddress(board: number, lock: number): BoxRecord | undefined {
    const row = this.q.byAddress.get(board, lock) as BoxRow | undefined;
    return row && toRecord(row);
  }

  /**
   * Applies a change. Must be called inside `store.tx` when it belongs with other writes (a parcel
   * row, a credential); on its own it opens its own transaction. Returns the new state, or the old
   * one untouched when nothing changed (no event for a non-change).
   */
  apply(boxNo: BoxNo, change: BoxChange, cause: BoxCause): BoxRecord {
    const run = () => {
      const before = this.get(boxNo);
      const { unlocked: _pulse, ...observed } = definedOnly(change);
      const next: BoxRecord = { ...before, ...observed };
      next.lock = lockAfter(before, next.door, change.unlocked === true);
      if (
        change.usage &&
        change.usage !== before.usage &&
        !USAGE_TRANSITIONS[before.usage].includes(change.usage)
      ) {
        this.logger.warn({ boxNo, from: before.usage, to: change.usage }, 'invalid box transition refused');
        throw new LockerError(
          'INVALID_TRANSITION',
          `box ${boxNo} cannot go from ${before.usage} to ${change.usage}`,
        );
      }
      if (
        next.door === before.door &&
        next.lock === before.lock &&
        next.occupancy === before.occupancy &&
        next.usage === before.usage
      ) {
        return { state: before, changed: false };
      }
      next.since = new Date().toISOString();
      this.q.update.run(next.door, next.lock, next.occupancy, next.usage, next.since, boxNo);
      this.outbox.append('box.state_changed', {
        boxNo,
        door: next.door,
        lock: next.lock,
        occupancy: next.occupancy,
        usage: next.usage,
        cause,
      });
      return { state: next, changed: true };
    };
    const inTx = this.store.db.inTransaction;
    const { state, changed } = inTx ? run() : this.store.tx(run);
    if (changed) {
      // Announce what is committed: inside an outer transaction, read it back after that commits
      // (or rolls back, in which case the unchanged state is announced, which is harmless).
      const announce = () => {
        if (!this.store.isOpen) return; // stopped in between
        const committed = this.find(boxNo);
        if (committed) this.bus.emit('boxChanged', publicState(committed));
      };
      if (inTx) setImmediate(announce);
      else announce();
    }
    return state;
  }
}

/**
 * The lock, derived from what was observed: released by an unlock pulse or seen released (door open);
 * latched again when the door is seen to shut after being open, or when a shut door is first read with
 * no pulse pending. A pulse whose door stayed shut leaves the lock `unlocked` (the sensor never saw the
 * latch catch again) until the door has been opened and shut.
 */
function lockAfter(before: BoxRecord, door: DoorState, pulsed: boolean): LockState {
  if (pulsed || door === 'open') return 'unlocked';
  if (door === 'closed' && (before.door === 'open' || before.lock === 'unknown')) return 'locked';
  if (door === 'unknown' && before.lock === 'locked') return 'unknown';
  return before.lock;
}

function definedOnly(change: BoxChange): BoxChange {
  return Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as BoxChange;
}

function toRecord(r: BoxRow): BoxRecord {
  return {
    boxNo: r.box_no,
    board: r.board,
    lockNo: r.lock,
    size: r.size,
    enabled: r.enabled === 1,
    door: r.door,
    lock: r.lock_state,
    occupancy: r.occupancy,
    usage: r.usage,
    since: r.since,
  };
}

/** The retained MQTT document of a box. */
export function publicState(b: BoxRecord): BoxState {
  return {
    boxNo: b.boxNo,
    size: b.size,
    door: b.door,
    lock: b.lock,
    occupancy: b.occupancy,
    usage: b.usage,
    since: b.since,
  };
}
