import type { Logger } from 'pino';
import type { CloudConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { IntervalWorker } from '../lifecycle/interval-worker.js';
import { CodeOpener } from './code-opener.js';
import { type DeliveryProvider, HttpDeliveryProvider } from './delivery.js';
import { NotificationRepository } from './notification-repository.js';
import { NotificationService } from './notification-service.js';
import { OutboundQueue } from './outbound-queue.js';
import { OutboundSender } from './outbound-sender.js';

/** In-app notifications, SMS/push delivery and the key that opens sealed codes. Built without I/O. */
export interface Notifications {
  service: NotificationService;
  opener: CodeOpener;
  outbound: OutboundQueue;
  /** The SMS/push worker; undefined when no provider is configured (messages wait in the queue). */
  sender: OutboundSender | undefined;
  worker: IntervalWorker | undefined;
}

export function createNotifications(
  db: Db,
  config: CloudConfig,
  logger: Logger,
  provider?: DeliveryProvider,
): Notifications {
  const opener = CodeOpener.fromConfig(config.secrets.codeKey, config.adminToken);
  const service = new NotificationService(new NotificationRepository(db), logger, (p) => opener.reveal(p));
  const outbound = new OutboundQueue(db);
  const { sms } = config.notifications;
  const chosen = provider ?? (sms ? new HttpDeliveryProvider(sms) : undefined);
  const sender = chosen
    ? new OutboundSender({
        queue: outbound,
        provider: chosen,
        opener,
        logger,
        baseDelayMs: config.notifications.retryBaseMs,
        maxAttempts: config.notifications.maxAttempts,
      })
    : undefined;
  const worker = sender
    ? new IntervalWorker({
        name: 'outbound-messages',
        intervalMs: config.notifications.sendIntervalMs,
        run: () => sender.pass(),
        logger,
      })
    : undefined;
  return { service, opener, outbound, sender, worker };
}
