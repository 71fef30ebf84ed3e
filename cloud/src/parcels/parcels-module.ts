import type { CabinetEvent } from '@locker/protocol';
import type { Logger } from 'pino';
import { UserRepository } from '../accounts/user-repository.js';
import type { CloudConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { IntervalWorker } from '../lifecycle/interval-worker.js';
import type { Notifications } from '../notifications/notifications-module.js';
import { TimelineRepository } from '../timeline/timeline-repository.js';
import { ParcelCatchUp } from './parcel-catch-up.js';
import { ParcelNotifier } from './parcel-notifier.js';
import { ParcelRepository } from './parcel-repository.js';
import { ParcelService } from './parcel-service.js';
import { ParcelTimeline } from './parcel-timeline.js';

/** Parcels and their worker (reminders, expiry). Built without I/O; the worker joins the server's plan. */
export interface Parcels {
  service: ParcelService;
  catchUp: ParcelCatchUp;
  worker: IntervalWorker;
  /**
   * Feeds a cabinet event (FleetLink `event`). Events are applied one after another in arrival
   * order, so a pickup never overtakes the deposit it follows; a failure is logged and left to the
   * catch-up pass.
   */
  onEvent(ev: CabinetEvent): void;
  /** Resolves once everything fed so far has been applied (tests, and shutdown before the database closes). */
  settle(): Promise<void>;
}

export function createParcels(
  db: Db,
  config: CloudConfig,
  notifications: Notifications,
  logger: Logger,
): Parcels {
  const notifier = new ParcelNotifier(
    (userId, kind, payload) => notifications.service.publish(userId, kind, payload),
    notifications.outbound,
  );
  const timeline = new ParcelTimeline(new TimelineRepository(db), logger);
  const service = new ParcelService(
    new ParcelRepository(db),
    new UserRepository(db),
    notifier,
    timeline,
    logger,
  );
  const catchUp = new ParcelCatchUp(db, service, logger);
  const reminderBeforeMs = config.parcels.reminderBeforeSec * 1000;
  const worker = new IntervalWorker({
    name: 'parcel-sweep',
    intervalMs: config.parcels.sweepIntervalMs,
    // Catch up on events first, so a deposit the live path missed is notified before its reminder.
    run: async () => {
      while ((await catchUp.pass()) > 0) {}
      return service.sweep(new Date(), reminderBeforeMs);
    },
    logger,
  });
  let queue: Promise<void> = Promise.resolve();
  const onEvent = (ev: CabinetEvent) => {
    queue = queue
      .then(() => service.applyEvent(ev))
      .catch((err: unknown) => {
        logger.error({ err, cabinetId: ev.cabinetId, eventId: ev.id }, 'parcel event not applied');
      });
  };
  return { service, catchUp, worker, onEvent, settle: () => queue };
}
