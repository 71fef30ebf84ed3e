import type { BoardEvent, BusStateEvent, DoorEvent, LockBoardDriver } from '@locker/lockboard';
import type { BoxNo } from '@locker/protocol';
import type { BoxStateMachine } from '../boxes/box-state-machine.js';
import type { EdgeConfig } from '../config.js';
import type { EdgeEventBus } from '../event-bus.js';
import type { AlarmKeeper } from './alarm-keeper.js';

/** The alarm subject of the lock bus (one serial port per cabinet). */
export const BUS_SUBJECT = 'bus';

/**
 * Turns what the sensors show into alarms and clears them when resolved: a forced door (opened with no
 * command) until it closes, a door left open too long until it closes, an unlock the sensor never
 * confirmed until that door is seen open, an unreachable board until it answers again, a lost serial
 * port until it is open again and every board has been read.
 */
export class AlarmWatch {
  private readonly openSince = new Map<BoxNo, number>();
  private readonly offs: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly driver: LockBoardDriver,
    private readonly boxes: BoxStateMachine,
    private readonly alarms: AlarmKeeper,
    private readonly bus: EdgeEventBus,
    private readonly config: EdgeConfig,
  ) {}

  async start(): Promise<void> {
    for (const b of this.boxes.list())
      if (b.door === 'open') this.openSince.set(b.boxNo, Date.parse(b.since));
    const onDoor = (e: DoorEvent) => {
      const box = this.boxes.byAddress(e.board, e.lock);
      if (box && e.door === 'open' && !e.commanded) {
        this.alarms.raise(
          'forced_open',
          `box:${box.boxNo}`,
          `box ${box.boxNo} was opened without a command`,
          {
            boxNo: box.boxNo,
          },
        );
      }
    };
    const onBoard = (e: BoardEvent) => {
      if (e.reachable) this.alarms.clear('board_unreachable', `board:${e.board}`);
      else
        this.alarms.raise('board_unreachable', `board:${e.board}`, `lock board ${e.board} does not answer`, {
          board: e.board,
        });
    };
    const onBus = (e: BusStateEvent) => {
      // 'up' also comes at start: an alarm left active by a daemon that died while the port was down
      // is cleared once this one has the port.
      if (e.state === 'up') this.alarms.clear('bus_down', BUS_SUBJECT);
      else if (e.state === 'down') {
        this.alarms.raise(
          'bus_down',
          BUS_SUBJECT,
          `serial port ${this.driver.settings.port} lost (${e.reason ?? 'closed'}); reopening`,
        );
      }
    };
    this.driver.monitor.on('door', onDoor);
    this.driver.monitor.on('board', onBoard);
    this.driver.on('bus', onBus);
    this.offs.push(
      () => this.driver.monitor.off('door', onDoor),
      () => this.driver.monitor.off('board', onBoard),
      () => this.driver.off('bus', onBus),
      this.bus.on('boxChanged', (b) => {
        if (b.door === 'open') {
          if (!this.openSince.has(b.boxNo)) this.openSince.set(b.boxNo, Date.now());
          this.alarms.clear('open_not_detected', `box:${b.boxNo}`);
        } else if (b.door === 'closed') {
          this.openSince.delete(b.boxNo);
          this.alarms.clear('door_left_open', `box:${b.boxNo}`);
          this.alarms.clear('forced_open', `box:${b.boxNo}`);
        }
      }),
    );
    this.timer = setInterval(() => this.sweep(), Math.min(1000, this.config.alarms.doorOpenSec * 250));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const off of this.offs.splice(0)) off();
  }

  sweep(now = Date.now()): void {
    const limit = this.config.alarms.doorOpenSec * 1000;
    for (const [boxNo, since] of this.openSince) {
      if (now - since >= limit) {
        this.alarms.raise(
          'door_left_open',
          `box:${boxNo}`,
          `box ${boxNo} has been open for over ${this.config.alarms.doorOpenSec} s`,
          {
            boxNo,
          },
        );
      }
    }
  }
}
