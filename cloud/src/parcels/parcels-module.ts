import type { Logger } from 'pino';
import { UserRepository } from '../accounts/user-repository.js';
import type { CloudConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { IntervalWorker } from '../lifecycle/interval-worker.js';
import type { Notifications } from '../notifications/notifications-module.js';
import { ParcelNotifier } from './parcel-notifier.js';
import { ParcelRepository } from './parcel-repository.js';
import { ParcelService } from './parcel-service.js';

/** Parcels and their worker (reminders, expiry). Built without I/O; the worker joins the server's plan. */
export interface Parcels {
  service: ParcelService;
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
  const reminderBeforeMs = config.parcels.reminderBeforeSec * 1000;
  const worker = new IntervalWorker({
    name: 'parcel-sweep',
    intervalMs: config.parcels.sweepIntervalMs,
    run: () => service.sweep(new Date(), reminderBeforeMs),
    logger,
  });
  return { service, worker };
}
