import type { Logger } from 'pino';
import { UserRepository } from '../accounts/user-repository.js';
import type { CloudConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { IntervalWorker } from '../lifecycle/interval-worker.js';
import type { Notifications } from '../notifications/notifications-module.js';
import { ParcelCatchUp } from './parcel-catch-up.js';
import { ParcelNotifier } from './parcel-notifier.js';
import { ParcelRepository } from './parcel-repository.js';
import { ParcelService } from './parcel-service.js';

/** Parcels and their worker (reminders, expiry). Built without I/O; the worker joins the server's plan. */
export interface Parcels {
  service: ParcelService;
  catchUp: ParcelCatchUp;
  worker: IntervalWorker;
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
  const service = new ParcelService(new ParcelRepository(db), new UserRepository(db), notifier, logger);
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
  return { service, catchUp, worker };
}
