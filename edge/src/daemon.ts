import { join } from 'node:path';
import { LockBoardDriver, type DriverOptions } from '@locker/lockboard';
import type { Logger } from 'pino';
import { BoxStateMachine } from './boxes/box-state-machine.js';
import { boxLayout, type EdgeConfig } from './config.js';
import { EdgeEventBus } from './event-bus.js';
import { LockService } from './lock/lock-service.js';
import { createLogger } from './logger.js';
import { CommandJournal } from './store/command-journal.js';
import { EdgeStore } from './store/edge-store.js';
import { Outbox } from './store/outbox.js';
import { CloudLink } from './sync/cloud-link.js';
import { CommandHandler } from './sync/command-handler.js';

export const SOFTWARE = 'locker-edge/0.1.0';

export interface Subsystem {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface EdgeDaemonOptions {
  logger?: Logger;
  /** Passed to the lock-board driver (tests inject a simulator or a serial binding). */
  driver?: DriverOptions;
}

/**
 * The cabinet daemon, built from its config: store, lock service, cloud link. Nothing happens until
 * start(), which starts them in that order; stop() stops them in reverse and never throws.
 */
export class EdgeDaemon {
  readonly logger: Logger;
  readonly bus = new EdgeEventBus();
  readonly store: EdgeStore;
  readonly outbox: Outbox;
  readonly boxes: BoxStateMachine;
  readonly journal: CommandJournal;
  readonly driver: LockBoardDriver;
  readonly lock: LockService;
  readonly commands: CommandHandler;
  readonly link: CloudLink | undefined;
  private readonly started: Array<[string, Subsystem]> = [];

  constructor(
    readonly config: EdgeConfig,
    options: EdgeDaemonOptions = {},
  ) {
    this.logger = options.logger ?? createLogger(config.logLevel, config.cabinetId);
    const log = (subsystem: string) => this.logger.child({ subsystem });
    this.store = new EdgeStore(join(config.dataDir, 'edge.db'), log('store'));
    this.outbox = new Outbox(this.store, config.cabinetId);
    this.boxes = new BoxStateMachine(this.store, this.outbox, this.bus, log('boxes'));
    this.journal = new CommandJournal(this.store);
    this.driver = new LockBoardDriver(config.bus, { logger: log('lockboard'), ...options.driver });
    this.lock = new LockService(this.driver, this.boxes, this.store, this.outbox, log('lock'));
    const startedAt = Date.now();
    this.commands = new CommandHandler({
      journal: this.journal,
      lock: this.lock,
      boxes: this.boxes,
      outbox: this.outbox,
      logger: log('commands'),
      startedAt,
    });
    this.link = config.broker
      ? new CloudLink({
          cabinetId: config.cabinetId,
          broker: config.broker,
          boxes: this.boxes,
          outbox: this.outbox,
          commands: this.commands,
          bus: this.bus,
          logger: log('link'),
          software: SOFTWARE,
        })
      : undefined;
  }

  async start(): Promise<void> {
    const store: Subsystem = {
      start: async () => {
        await this.store.start();
        this.boxes.seed(boxLayout(this.config));
      },
      stop: () => this.store.stop(),
    };
    const plan: Array<[string, Subsystem | undefined]> = [
      ['store', store],
      ['lock', this.lock],
      ['link', this.link],
    ];
    for (const [name, sub] of plan) {
      if (!sub) continue;
      await sub.start();
      this.started.push([name, sub]);
    }
    this.logger.info({ boxes: this.boxes.list().length, outbox: this.outbox.depth() }, 'cabinet daemon started');
  }

  async stop(): Promise<void> {
    for (const [name, sub] of this.started.splice(0).reverse()) {
      try {
        await sub.stop();
      } catch (err) {
        this.logger.error({ err, subsystem: name }, 'stop failed');
      }
    }
  }
}
