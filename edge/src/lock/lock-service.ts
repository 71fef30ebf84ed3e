import type { LockBoardDriver } from '@locker/lockboard';
import { type BoxNo, type EventData, LockerError } from '@locker/protocol';
import type { Logger } from 'pino';
import type { BoxStateMachine } from '../boxes/box-state-machine.js';
import type { EdgeStore } from '../store/edge-store.js';
import type { Outbox } from '../store/outbox.js';

export type UnlockPurpose = EventData<'box.unlocked'>['purpose'];

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

  constructor(
    private readonly driver: LockBoardDriver,
    private readonly boxes: BoxStateMachine,
    private readonly store: EdgeStore,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const { monitor } = this.driver;
    const onDoor = (e: { board: number; lock: number; door: 'open' | 'closed' }) => {
      const box = this.boxes.byAddress(e.board, e.lock);
      if (!box) return;
      this.boxes.apply(
        box.boxNo,
        { door: e.door, lock: e.door === 'open' ? 'unlocked' : 'locked' },
        'sensor',
      );
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
    );
    await this.driver.start();
    await this.reconcile();
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    await this.driver.stop();
  }

  /**
   * Makes the stored state match the physical doors (after a restart the store may be behind:
   * a door may have closed while the daemon was down). Boards that do not answer are left as they are.
   */
  async reconcile(): Promise<void> {
    // one board read serves all of its boxes
    const boards = [...new Set(this.boxes.list().map((b) => b.board))];
    for (const board of boards) {
      try {
        const readings = await this.driver.readBoard(board);
        for (const r of readings) {
          const box = this.boxes.byAddress(r.board, r.lock);
          if (!box) continue;
          this.boxes.apply(
            box.boxNo,
            {
              door: r.door,
              lock: r.door === 'open' ? 'unlocked' : 'locked',
              ...(r.occupied === null ? {} : { occupancy: r.occupied ? 'occupied' : 'empty' }),
            },
            'reconcile',
          );
        }
      } catch (err) {
        this.logger.warn({ board, code: (err as LockerError).code }, 'board not reconciled');
      }
    }
  }

  /** Unlocks one box and records the outcome. A door the sensor did not see open is `confirmed: false`. */
  async open(boxNo: BoxNo, purpose: UnlockPurpose, transaction?: string): Promise<OpenResult> {
    const box = this.boxes.get(boxNo);
    if (box.usage === 'out_of_service' && purpose !== 'maintenance' && purpose !== 'command') {
      throw new LockerError('BOX_NOT_AVAILABLE', `box ${boxNo} is out of service`);
    }
    const result = await this.driver.unlock({ board: box.board, lock: box.lockNo });
    this.store.tx(() => {
      if (result.door !== 'unknown') {
        this.boxes.apply(
          boxNo,
          { door: result.door, lock: result.door === 'open' ? 'unlocked' : 'locked' },
          'command',
        );
      }
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
