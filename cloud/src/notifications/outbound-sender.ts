import type { Logger } from 'pino';
import type { CodeOpener } from './code-opener.js';
import type { DeliveryProvider } from './delivery.js';
import type { OutboundQueue } from './outbound-queue.js';

export interface OutboundSenderOptions {
  queue: OutboundQueue;
  provider: DeliveryProvider;
  opener: CodeOpener;
  logger: Logger;
  /** First retry after this, doubling each time up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxAttempts?: number;
  /** How long a claimed message is held before another pass may try it again (a crash mid-send). */
  leaseMs?: number;
}

/**
 * One pass of the SMS/push worker: claims due messages, opens a sealed code only now, in memory,
 * for the provider, and records the outcome. The text sent is never logged or stored.
 */
export class OutboundSender {
  constructor(private readonly opts: OutboundSenderOptions) {}

  async pass(now = new Date()): Promise<{ sent: number; failed: number }> {
    const { queue, provider, opener, logger } = this.opts;
    let sent = 0;
    let failed = 0;
    for (const row of await queue.claimDue(now, this.opts.leaseMs ?? 60_000)) {
      const payload = opener.reveal(JSON.parse(row.payload)) as Record<string, unknown>;
      const { text, ...data } = payload;
      try {
        await provider.send({
          id: row.id,
          channel: row.channel,
          to: row.to_address,
          kind: row.kind,
          text: typeof text === 'string' ? text : row.kind,
          data,
        });
        await queue.markSent(row.id, new Date());
        sent++;
      } catch (err) {
        failed++;
        const attempts = row.attempts + 1;
        const give = attempts >= (this.opts.maxAttempts ?? 8);
        const delay = Math.min(
          (this.opts.baseDelayMs ?? 5_000) * 2 ** (attempts - 1),
          this.opts.maxDelayMs ?? 3_600_000,
        );
        const message = err instanceof Error ? err.message : String(err);
        await queue.markFailed(row.id, message, new Date(), give ? undefined : new Date(Date.now() + delay));
        logger.warn(
          { id: row.id, kind: row.kind, attempts, provider: provider.name, error: message, gaveUp: give },
          'outbound message not delivered',
        );
      }
    }
    return { sent, failed };
  }
}
