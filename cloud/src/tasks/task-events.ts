import type { Logger } from 'pino';
import type { TaskRow } from './task-repository.js';

export type TaskEvent =
  | 'published'
  | 'changed'
  | 'deleted'
  | 'left'
  | 'claimed'
  | 'offered'
  | 'accepted'
  | 'abandoned'
  | 'paid'
  | 'confirmed'
  | 'done'
  | 'cancelled'
  | 'handed_over';

export type Notify = (userId: string, kind: string, payload: unknown) => Promise<unknown>;
export const TASK_NOTIFICATION = 'task.changed';

/** Both parties (and a collector who just left) hear of every change; a failure is logged. */
export async function tellParties(
  notify: Notify,
  logger: Logger,
  t: TaskRow,
  event: TaskEvent,
  by: string,
  also: string[],
): Promise<void> {
  const to = new Set([t.publisher_id, ...(t.collector_id ? [t.collector_id] : []), ...also]);
  const payload = { taskId: t.id, event, state: t.state, price: t.price, by };
  for (const userId of to) {
    try {
      await notify(userId, TASK_NOTIFICATION, payload);
    } catch (err) {
      logger.error({ err, userId, taskId: t.id, event }, 'task notification failed');
    }
  }
}
