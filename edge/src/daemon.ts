import { join } from 'node:path';
import { type DriverOptions, LockBoardDriver } from '@locker/lockboard';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AlarmKeeper } from './alarms/alarm-keeper.js';
import { AlarmWatch } from './alarms/alarm-watch.js';
import { BoxStateMachine } from './boxes/box-state-machine.js';
import { boxLayout, type EdgeConfig } from './config.js';
import { AccessKeyWatch, accessKeyring } from './credentials/access-keys.js';
import { AttemptLimiter } from './credentials/attempt-limiter.js';
import { CodeHasher } from './credentials/code-hasher.js';
import { PickupCodes } from './credentials/pickup-codes.js';
import { cabinetOutOfService } from './desired/cabinet-service.js';
import { CredentialStore } from './desired/credential-store.js';
import { DesiredStateApplier } from './desired/desired-state.js';
import { GrantTokenStore } from './desired/grant-token-store.js';
import { EdgeEventBus } from './event-bus.js';
import { BoxAllocator } from './flows/box-allocator.js';
import { FlowEngine } from './flows/flow-engine.js';
import { SessionStore } from './flows/session-store.js';
import { buildKioskApp } from './kiosk/kiosk-app.js';
import { KioskServer } from './kiosk/kiosk-server.js';
import { createMetrics } from './kiosk/metrics.js';
import { screenConfig } from './kiosk/screen-config.js';
import { registerSimulatorRoutes } from './kiosk/simulator-routes.js';
import { resolvePageDir } from './kiosk/static-page.js';
import { lockHealth } from './lock/lock-health.js';
import { LockService } from './lock/lock-service.js';
import { SensorGuard } from './lock/sensor-guard.js';
import { createLogger } from './logger.js';
import { ParcelStore } from './parcels/parcel-store.js';
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
  readonly guard: SensorGuard;
  readonly commands: CommandHandler;
  readonly link: CloudLink | undefined;
  readonly alarms: AlarmKeeper;
  readonly alarmWatch: AlarmWatch;
  readonly parcels: ParcelStore;
  readonly credentials: CredentialStore;
  /** The cloud's grant-token keys, revocations and the grants used here (ADR 0017). */
  readonly grantTokens: GrantTokenStore;
  readonly desired: DesiredStateApplier;
  readonly accessKeyWatch: AccessKeyWatch;
  readonly sessions: SessionStore;
  readonly limiter: AttemptLimiter;
  readonly flows: FlowEngine;
  readonly kioskApp: FastifyInstance;
  readonly kiosk: KioskServer | undefined;
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
    this.alarms = new AlarmKeeper(this.store, this.outbox, log('alarms'));
    this.guard = new SensorGuard(this.alarms, config.flows.sensorFaultAfter, log('lock'));
    this.lock = new LockService(this.driver, this.boxes, this.store, this.outbox, this.guard, log('lock'));
    this.alarmWatch = new AlarmWatch(this.driver, this.boxes, this.alarms, this.bus, config);
    this.parcels = new ParcelStore(this.store, this.outbox);
    this.credentials = new CredentialStore(this.store);
    this.grantTokens = new GrantTokenStore(this.store);
    const accessKeys = accessKeyring(config);
    this.accessKeyWatch = new AccessKeyWatch(accessKeys, this.credentials, this.alarms);
    this.desired = new DesiredStateApplier(
      this.store,
      this.credentials,
      this.boxes,
      this.outbox,
      log('desired'),
      this.grantTokens,
      this.accessKeyWatch,
    );
    this.sessions = new SessionStore(this.store);
    this.limiter = new AttemptLimiter(this.store, this.alarms, config.attempts);
    const hasher = new CodeHasher(this.store);
    const allocator = new BoxAllocator(this.boxes, this.sessions, (board) => this.lock.isReachable(board));
    this.flows = new FlowEngine(
      {
        store: this.store,
        outbox: this.outbox,
        boxes: this.boxes,
        lock: this.lock,
        parcels: this.parcels,
        codes: new PickupCodes(this.store, hasher),
        hasher,
        credentials: this.credentials,
        accessKeys,
        grantTokens: this.grantTokens,
        limiter: this.limiter,
        alarms: this.alarms,
        sessions: this.sessions,
        allocator,
        config,
        logger: log('flows'),
      },
      this.bus,
    );
    const startedAt = Date.now();
    this.commands = new CommandHandler({
      journal: this.journal,
      lock: this.lock,
      boxes: this.boxes,
      alarms: this.alarms,
      outbox: this.outbox,
      logger: log('commands'),
      startedAt,
      store: this.store,
    });
    this.kioskApp = buildKioskApp({
      cabinetId: config.cabinetId,
      flows: this.flows,
      allocator,
      limiter: this.limiter,
      alarms: this.alarms,
      outbox: this.outbox,
      metrics: createMetrics({
        boxes: this.boxes,
        outbox: this.outbox,
        alarms: this.alarms,
        driver: this.driver,
      }),
      link: () => (this.link ? (this.link.connected ? 'connected' : 'disconnected') : 'disabled'),
      lockHealth: () => lockHealth(this.driver, this.guard),
      outOfService: () => cabinetOutOfService(this.store),
      logger: log('kiosk'),
      pageDir: resolvePageDir(config.kiosk.pageDir),
      screen: screenConfig(config),
      maintenance: () => this.boxes.list().every((b) => b.usage === 'out_of_service'),
    });
    registerSimulatorRoutes(this.kioskApp, this.driver, this.boxes);
    this.kiosk = config.kiosk.enabled
      ? new KioskServer(this.kioskApp, config.kiosk, log('kiosk'))
      : undefined;
    this.link = config.broker
      ? new CloudLink({
          cabinetId: config.cabinetId,
          broker: config.broker,
          boxes: this.boxes,
          outbox: this.outbox,
          commands: this.commands,
          bus: this.bus,
          desired: this.desired,
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
        this.accessKeyWatch.check();
      },
      stop: () => this.store.stop(),
    };
    const plan: Array<[string, Subsystem | undefined]> = [
      ['store', store],
      ['alarms', this.alarmWatch],
      ['lock', this.lock],
      ['flows', this.flows],
      ['kiosk', this.kiosk],
      ['link', this.link],
    ];
    for (const [name, sub] of plan) {
      if (!sub) continue;
      await sub.start();
      this.started.push([name, sub]);
    }
    this.logger.info(
      { boxes: this.boxes.list().length, outbox: this.outbox.depth(), kiosk: this.kiosk?.url },
      'cabinet daemon started',
    );
  }

  async stop(): Promise<void> {
    // The kiosk app exists even when not listening (tests inject into it); close it too.
    if (!this.kiosk) await this.kioskApp.close().catch(() => undefined);
    for (const [name, sub] of this.started.splice(0).reverse()) {
      try {
        await sub.stop();
      } catch (err) {
        this.logger.error({ err, subsystem: name }, 'stop failed');
      }
    }
  }
}
