import type { LockBoardDriver, LockReading } from '@locker/lockboard';
import { type BoxNo, type EventData, LockerError } from '@locker/protocol';
import type { Logger } from 'pino';
import type { BoxStateMachine } from '../boxes/box-state-machine.js';
import type { EdgeStore } from '../store/edge-store.js';
import type { Outbox } from '../store/outbox.js';
import { type SensorGuard, sensorFaultError } from './sensor-guard.js';

/** Start-up reads of a board before it is left to the monitor (a dead process's reply may be in the way). */
const RECONCILE_TRIES = 3;
const RECONCILE_RETRY_MS = 500;

export type UnlockPurpose = EventData<'box.unlocked'>['purpose'];

/** Unlocks a flow makes for a person at the cabinet; `command` and `maintenance` are operators'. */
const FLOW_PURPOSES: ReadonlySet<UnlockPurpose> = new Set([
  'pickup',
  'deposit',
  'grant',
  'retry',
  'recollect',
]);

export interface OpenResult {
  boxNo: BoxNo;
  confirmed: boolean;
  door: 'open' | 'closed' | 'unknown';
}

/**
 * Opens doors and keeps box state in step with the sensors. It owns the lock-board driver: the
 * driver's door monitor feeds the state machine, and every unlock is recorded as an event.
 */
export class LockService {
  private unsubscribe: Array<() => void> = [];
  private reconcileTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly driver: LockBoardDriver,
    private readonly boxes: BoxStateMachine,
    private readonly store: EdgeStore,
    private readonly outbox: Outbox,
    private readonly guard: SensorGuard,
    private readonly logger: Logger,
  ) {}

  /**
   * Why a flow (or, with `forFlow` false, an operator) may not unlock now, checked before any frame is
   * sent: the serial port is down, the sensor fail-safe has tripped (flows only), or the box's board
   * does not answer.
   */
  refusal(board: number | undefined, forFlow: boolean): LockerError | undefined {
    // Nothing is queued while the port is down (it would run late, with the person gone).
    if (this.driver.busState === 'down') {
      return new LockerError(
        'BUS_DOWN',
        'The cabinet cannot open doors right now. Staff have been alerted; please try again shortly.',
      );
    }
    if (forFlow && this.guard.tripped) return sensorFaultError();
    if (board !== undefined && !this.driver.monitor.isReachable(board)) {
      return new LockerError(
        'BOARD_UNREACHABLE',
        'This part of the cabinet does not answer right now. Staff have been alerted; please try again later.',
        { board },
      );
    }
    return undefined;
  }

  /** Whether the boxes of this board can be offered to a person: the bus is up and its board answers. */
  isReachable(board: number): boolean {
    return this.driver.busState === 'up' && this.driver.monitor.isReachable(board);
  }

  async start(): Promise<void> {
    const { monitor } = this.driver;
    const onDoor = (e: { board: number; lock: number; door: 'open' | 'closed' }) => {
      const box = this.boxes.byAddress(e.board, e.lock);
      if (!box) return;
      this.boxes.apply(box.boxNo, { door: e.door }, 'sensor');
    };
    const onOccupancy = (e: { board: number; lock: number; occupied: boolean }) => {
      const box = this.boxes.byAddress(e.board, e.lock);
      if (!box) return;
      this.boxes.apply(box.boxNo, { occupancy: e.occupied ? 'occupied' : 'empty' }, 'sensor');
    };
    monitor.on('door', onDoor);
    monitor.on('occupancy', onOccupancy);
    this.unsubscribe.push(
      () => monitor.off('door', onDoor),
      () => monitor.off('occupancy', onOccupancy),
      () => clearInterval(this.reconcileTimer),
    );
    // A port missing at boot leaves the bus down (alarm, BUS_DOWN to flows) until it appears.
    await this.driver.start({ waitForPort: true });
    await this.reconcile();
    this.reconcilePending();
    // A board that failed its start-up read is reconciled from the monitor's snapshot once polls
    // reach it; the timer runs only while such a board is left.
    if (this.pendingBoards.size > 0) {
      this.reconcileTimer = setInterval(() => this.reconcilePending(), RECONCILE_RETRY_MS);
    }
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    await this.driver.stop();
  }

  /**
   * Makes the stored state match the physical doors (after a restart the store may be behind:
   * a door may have closed, or a last unlock may have gone out, while the daemon was down). The
   * first read after a power cut may meet the dead process's late reply on the line, so a board
   * gets a few tries; one that still does not answer is reconciled from the door monitor's first
   * readings as soon as it answers (the monitor takes a first reading as its silent baseline).
   */
  async reconcile(): Promise<void> {
    // one board read serves all of its boxes
    const boards = [...new Set(this.boxes.list().map((b) => b.board))];
    for (const board of boards) {
      for (let attempt = 1; ; attempt++) {
        try {
          this.record(await this.driver.readBoard(board));
          break;
        } catch (err) {
          if (attempt < RECONCILE_TRIES) continue;
          this.logger.warn({ board, code: (err as LockerError).code }, 'board not reconciled');
          this.pendingBoards.add(board);
          break;
        }
      }
    }
  }

  /** Records readings as the truth about the boxes (no event where nothing changed). */
  private record(readings: readonly LockReading[]): void {
    for (const r of readings) {
      const box = this.boxes.byAddress(r.board, r.lock);
      if (!box) continue;
      this.boxes.apply(
        box.boxNo,
        {
          door: r.door,
          ...(r.occupied === null ? {} : { occupancy: r.occupied ? 'occupied' : 'empty' }),
        },
        'reconcile',
      );
    }
  }

  /** Boards whose start-up read failed, reconciled from the monitor once they answer. */
  private readonly pendingBoards = new Set<number>();

  private reconcilePending(): void {
    if (this.pendingBoards.size === 0) return;
    const readings = this.driver.monitor.snapshot().filter((r) => this.pendingBoards.has(r.board));
    const seen = new Set(readings.map((r) => r.board));
    this.record(readings);
    for (const board of seen) {
      this.pendingBoards.delete(board);
      this.logger.info({ board }, 'board reconciled late');
    }
    if (this.pendingBoards.size === 0) clearInterval(this.reconcileTimer);
  }

  /** Unlocks one box and records the outcome. A door the sensor did not see open is `confirmed: false`. */
  async open(boxNo: BoxNo, purpose: UnlockPurpose, transaction?: string): Promise<OpenResult> {
    const box = this.boxes.get(boxNo);
    if (box.usage === 'out_of_service' && purpose !== 'maintenance' && purpose !== 'command') {
      throw new LockerError('BOX_NOT_AVAILABLE', `box ${boxNo} is out of service`);
    }
    const refused = this.refusal(box.board, FLOW_PURPOSES.has(purpose));
    if (refused) throw refused;
    const result = await this.driver.unlock({ board: box.board, lock: box.lockNo });
    this.store.tx(() => {
      // Every outcome counts, an operator's too: a confirmed open proves the sensors read right.
      this.guard.record(result.confirmed);
      // The pulse went out whatever the sensor then showed: the box's lock is derived from both.
      this.boxes.apply(
        boxNo,
        result.door === 'unknown' ? { unlocked: true } : { door: result.door, unlocked: true },
        'command',
      );
      this.outbox.append('box.unlocked', {
        boxNo,
        confirmed: result.confirmed,
        purpose,
        ...(transaction ? { transaction } : {}),
      });
    });
    this.logger.info({ boxNo, purpose, confirmed: result.confirmed }, 'box unlocked');
    return { boxNo, confirmed: result.confirmed, door: result.door };
  }
}
