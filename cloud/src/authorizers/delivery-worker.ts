import { isLockerError, LockerError } from '@locker/protocol';
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

/** Expiry and the replay memory's pruning run at most this often, not on every kicked pass. */
const SWEEP_EVERY_MS = 1_000;

/**
 * One pass of the authorizer webhook worker (step D and the confirmations of step E): expires
 * requests no one answered in time, forgets signatures past the window, then claims due tries and
 * sends each, signed. Failed tries are retried with backoff until `maxAttempts`, then
 * dead-lettered; a dead request fails and its holder is told. Nothing secret is logged.
 */
export class DeliveryWorker {
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(private readonly d: DeliveryWorkerDeps) {}

  async pass(now = new Date()): Promise<{ sent: number; failed: number }> {
    if (now.getTime() - this.lastSweep >= SWEEP_EVERY_MS || now.getTime() < this.lastSweep) {
      this.lastSweep = now.getTime();
      await this.d.service.expireDue();
      await this.d.signatures.prune(now);
    }
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
    if (row.kind === 'confirmation') {
      await this.d.queue.markSent(row.id, new Date());
      await service.confirmedToAuthorizer(row.request_id, attempt);
    } else if (res.status === 202) {
      await this.d.queue.markSent(row.id, new Date());
      await service.accepted(row.request_id, attempt);
    } else {
      await this.applyImmediate(row, res, attempt);
    }
    return { ok: true };
  }

  /**
   * A 200 answer carries the grantee: checked like a callback and applied in one unit of work with
   * the record that it arrived (the try sent, the step, the signature seen), so the holder waits
   * for one commit, not four. A refusal fails the request, the box untouched.
   */
  private async applyImmediate(row: DeliveryRow, res: AuthorizerResponse, attempt: number): Promise<void> {
    const { service, queue, signatures } = this.d;
    try {
      const v = await service.verified(
        { body: res.body, timestamp: res.timestamp, signature: res.signature },
        false,
      );
      if (v.answer.requestId !== row.request_id) {
        throw new LockerError('ANSWER_MISMATCH', 'the answer is for another request than the one sent');
      }
      await service.answer(v.authorizer, v.answer, 'response', async (trx) => {
        await signatures.remember(v.authorizer.no, v.signature, v.keepUntil, trx);
        await queue.markSent(row.id, new Date(), trx);
        await service.delivered(row.request_id, attempt, trx);
      });
    } catch (err) {
      await queue.markSent(row.id, new Date());
      await service.delivered(row.request_id, attempt);
      // An unreadable body is the authorizer's fault, not the holder's input.
      const raw = isLockerError(err) ? err.code : 'AUTHORIZER_ANSWER_INVALID';
      const code = raw === 'VALIDATION_FAILED' ? 'AUTHORIZER_ANSWER_INVALID' : raw;
      if (isLockerError(err))
        this.d.logger.warn({ requestId: row.request_id, code }, 'authorizer answer refused');
      else this.d.logger.error({ err, requestId: row.request_id }, 'authorizer answer failed');
      await service.fail(await this.d.requests.get(row.request_id), code);
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
