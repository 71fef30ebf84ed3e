import { isLockerError } from '@locker/protocol';
import type { Logger } from 'pino';
import type { CloudConfig } from '../config.js';
import { type AuthorizerResponse, postSigned, retryDelayMs } from './authorizer-client.js';
import type { AuthorizerRegistry } from './authorizer-registry.js';
import type { DeliveryQueue, DeliveryRow } from './delivery-queue.js';
import type { RequestRepository } from './request-repository.js';
import type { SeenSignatures } from './seen-signatures.js';
import type { ThirdPartyService } from './third-party-service.js';

export interface DeliveryWorkerDeps {
  queue: DeliveryQueue;
  registry: AuthorizerRegistry;
  requests: RequestRepository;
  signatures: SeenSignatures;
  service: ThirdPartyService;
  config: CloudConfig['authorizers'];
  logger: Logger;
  /** The HTTP call (tests may count or fail it); default: postSigned. */
  post?: typeof postSigned;
}

type Outcome = { ok: true } | { ok: false; error: string };

/**
 * One pass of the authorizer webhook worker (step D and the confirmations of step E): expires
 * requests no one answered in time, forgets signatures past the window, then claims due tries and
 * sends each, signed. Failed tries are retried with backoff until `maxAttempts`, then
 * dead-lettered; a dead request fails and its holder is told. Nothing secret is logged.
 */
export class DeliveryWorker {
  constructor(private readonly d: DeliveryWorkerDeps) {}

  async pass(now = new Date()): Promise<{ sent: number; failed: number }> {
    await this.d.service.expireDue();
    await this.d.signatures.prune(now);
    let sent = 0;
    let failed = 0;
    const rows = await this.d.queue.claimDue(now, this.d.config.leaseMs);
    // In parallel: one slow authorizer must not hold up the others' requests.
    await Promise.all(
      rows.map(async (row) => {
        const outcome = await this.deliver(row).catch(
          (err: unknown): Outcome => ({ ok: false, error: err instanceof Error ? err.message : String(err) }),
        );
        if (outcome.ok) sent++;
        else {
          failed++;
          await this.retryOrGiveUp(row, outcome.error, now);
        }
      }),
    );
    return { sent, failed };
  }

  private async deliver(row: DeliveryRow): Promise<Outcome> {
    const { registry, service } = this.d;
    const attempt = row.attempts + 1;
    const authorizer = await registry.find(row.authorizer_no);
    if (row.kind === 'request') {
      const req = await this.d.requests.get(row.request_id);
      if (req.state !== 'requested') {
        // Expired or answered by callback meanwhile: nothing left to ask.
        await this.d.queue.markFailed(row.id, `request is ${req.state}`, new Date(), undefined);
        return { ok: true };
      }
      if (authorizer?.status !== 'normal') {
        await this.d.queue.markFailed(row.id, 'authorizer disabled', new Date(), undefined);
        await service.fail(req, 'AUTHORIZER_DISABLED');
        return { ok: true };
      }
    }
    if (!authorizer) return { ok: false, error: 'authorizer removed' };
    const post = this.d.post ?? postSigned;
    const res = await post(
      authorizer.url,
      registry.secretOf(authorizer),
      {
        authorizerNo: authorizer.no,
        idempotencyKey: row.kind === 'request' ? row.request_id : `${row.request_id}.confirmation`,
        body: row.body,
      },
      this.d.config.timeoutMs,
    );
    if (res.status < 200 || res.status > 299) return { ok: false, error: `HTTP ${res.status}` };
    await this.d.queue.markSent(row.id, new Date());
    if (row.kind === 'confirmation') {
      await service.confirmedToAuthorizer(row.request_id, attempt);
    } else if (res.status === 202) {
      await service.accepted(row.request_id, attempt);
    } else {
      await service.delivered(row.request_id, attempt);
      await this.applyImmediate(row, res);
    }
    return { ok: true };
  }

  /** A 200 answer carries the grantee: checked and applied like a callback; a refusal fails the request. */
  private async applyImmediate(row: DeliveryRow, res: AuthorizerResponse): Promise<void> {
    try {
      const { authorizer, answer } = await this.d.service.verified({
        body: res.body,
        timestamp: res.timestamp,
        signature: res.signature,
      });
      await this.d.service.answer(authorizer, answer, 'response');
    } catch (err) {
      // An unreadable body is the authorizer's fault, not the holder's input.
      const raw = isLockerError(err) ? err.code : 'AUTHORIZER_ANSWER_INVALID';
      const code = raw === 'VALIDATION_FAILED' ? 'AUTHORIZER_ANSWER_INVALID' : raw;
      if (isLockerError(err))
        this.d.logger.warn({ requestId: row.request_id, code }, 'authorizer answer refused');
      else this.d.logger.error({ err, requestId: row.request_id }, 'authorizer answer failed');
      const req = await this.d.requests.get(row.request_id);
      await this.d.service.fail(req, code);
    }
  }

  private async retryOrGiveUp(row: DeliveryRow, error: string, now: Date): Promise<void> {
    const { config, logger } = this.d;
    const attempts = row.attempts + 1;
    const give = attempts >= config.maxAttempts;
    const retryAt = give
      ? undefined
      : new Date(now.getTime() + retryDelayMs(attempts, config.retryBaseMs, config.retryMaxMs));
    await this.d.queue.markFailed(row.id, error, new Date(), retryAt);
    logger.warn(
      { delivery: row.id, requestId: row.request_id, kind: row.kind, attempts, error, deadLetter: give },
      'authorizer delivery failed',
    );
    if (give && row.kind === 'request') {
      const req = await this.d.requests.get(row.request_id);
      await this.d.service.fail(req, 'AUTHORIZER_UNREACHABLE');
    }
  }
}
