import { randomBytes } from 'node:crypto';
import { isLockerError, LockerError } from '@locker/protocol';
import type { UserRepository, UserRow } from '../accounts/user-repository.js';
import type { AuthorizationService, GrantView } from '../authorizations/authorization-service.js';
import type { CloudConfig } from '../config.js';
import type { AfterCommit, GroupCommit } from '../db/group-commit.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';
import { usableUser } from '../reservations/reservation-service.js';
import type { NotifyIn } from '../reservations/rights-deps.js';
import type { TimelineRecorder } from '../timeline/timeline-recorder.js';
import type { AuthorizerRegistry } from './authorizer-registry.js';
import type { AuthorizerRow } from './authorizer-repository.js';
import type { DeliveryQueue } from './delivery-queue.js';
import type { RequestRepository, RequestRow } from './request-repository.js';
import { type AuthorizationRequestView, RequestViews } from './request-view.js';
import type { AuthorizationRequestMessage, AuthorizerAnswer, ConfirmationMessage } from './schemas.js';
import type { SeenSignatures } from './seen-signatures.js';
import { SignedAnswers, type SignedMessage, type VerifiedAnswer } from './signed-answer.js';

export interface ThirdPartyDeps {
  registry: AuthorizerRegistry;
  requests: RequestRepository;
  queue: DeliveryQueue;
  signatures: SeenSignatures;
  /** Method 1's service: its holder rules and its one apply-grant path. */
  authorizations: Pick<AuthorizationService, 'heldRight' | 'applyGrant' | 'findGrantee'>;
  users: UserRepository;
  timeline: TimelineRecorder;
  units: GroupCommit;
  notifyIn: NotifyIn;
  config: CloudConfig['authorizers'];
  /** Called after the commit of a unit that queued a message: starts a worker pass at once. */
  onQueued?: () => void;
  now?: () => Date;
}

export type AnswerSource = 'response' | 'callback';

/**
 * The patent's method 2 (third-party authorization), steps C-F: the holder picks a box and an
 * authorizer; the request goes to the authorizer through the durable queue; its answer (at once
 * or by callback) is checked and applied as a method-1 grant, and both sides are confirmed.
 */
export class ThirdPartyService {
  readonly views: RequestViews;
  private readonly signed: SignedAnswers;

  constructor(private readonly d: ThirdPartyDeps) {
    this.views = new RequestViews(d.registry, d.users);
    this.signed = new SignedAnswers(d.registry, d.signatures, d.config, () => this.now());
  }

  private now(): Date {
    return this.d.now?.() ?? new Date();
  }

  /** Step C: checks the right as method 1 does, stores the request and its delivery together. */
  async request(
    holderId: string,
    req: { siteNo: string; boxNo: string; authorizerNo: string },
  ): Promise<AuthorizationRequestView> {
    const holder = await this.d.users.get(holderId);
    const holderNo = usableUser(holder, 'USER_DISABLED');
    const authorizer = await this.d.registry.usable(req.authorizerNo);
    const held = await this.d.authorizations.heldRight(holderId, req.siteNo, req.boxNo);
    const now = this.now();
    const ttl = new Date(now.getTime() + this.d.config.requestTtlSeconds * 1000).toISOString();
    const row: RequestRow = {
      id: `Q${randomBytes(12).toString('hex')}`,
      holder_id: holderId,
      site_no: req.siteNo,
      box_no: req.boxNo,
      size: held.box.size,
      authorizer_no: authorizer.no,
      state: 'requested',
      open_box: `${req.siteNo}/${req.boxNo}`,
      grantee_id: null,
      grant_id: null,
      failure_code: null,
      expires_at: earlier(ttl, held.limit),
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    const message: AuthorizationRequestMessage = {
      type: 'authorization_request',
      requestId: row.id,
      authorizerNo: authorizer.no,
      siteNo: row.site_no,
      boxNo: row.box_no,
      size: row.size,
      holder: holderNo,
      expiresAt: row.expires_at,
    };
    await this.d.units.run(async (trx, commit) => {
      await this.d.requests.insert(trx, row);
      await this.d.queue.enqueue(
        trx,
        { requestId: row.id, authorizerNo: authorizer.no, kind: 'request', body: message },
        now,
      );
      await this.step(trx, row, 'requested', holderId, { authorizerNo: authorizer.no });
      this.queued(commit);
    });
    return this.views.of(row);
  }

  async get(holderId: string, id: string): Promise<AuthorizationRequestView> {
    return this.views.of(await this.own(holderId, id));
  }

  async list(holderId: string): Promise<AuthorizationRequestView[]> {
    return Promise.all((await this.d.requests.listFor(holderId)).map((r) => this.views.of(r)));
  }

  /** The holder's own request, else NOT_FOUND (someone else's is not theirs to see). */
  async own(holderId: string, id: string): Promise<RequestRow> {
    const row = await this.d.requests.find(id);
    if (!row || row.holder_id !== holderId)
      throw new LockerError('AUTHORIZATION_REQUEST_NOT_FOUND', `no request ${id}`);
    return row;
  }

  /** Checks a signed message from an authorizer (signed-answer.ts). */
  verified(parts: SignedMessage, remember = true): Promise<VerifiedAnswer> {
    return this.signed.verify(parts, remember);
  }

  /**
   * Step E: applies a verified answer as method 1 applies the holder's choice. The request closes
   * in the grant's own unit of work (so two answers never both apply), and the authorizer's
   * confirmation is queued there too. A refusal leaves the box and the request unchanged.
   */
  async answer(
    authorizer: AuthorizerRow,
    a: AuthorizerAnswer,
    via: AnswerSource,
    before?: (trx: Executor) => Promise<void>,
  ): Promise<{ request: AuthorizationRequestView; grant: GrantView }> {
    const req = await this.d.requests.find(a.requestId);
    if (!req || req.authorizer_no !== authorizer.no)
      throw new LockerError('AUTHORIZATION_REQUEST_NOT_FOUND', `no request ${a.requestId}`);
    try {
      return await this.applyAnswer(req, a, via, before);
    } catch (err) {
      if (isLockerError(err) && err.code !== 'AUTHORIZATION_REQUEST_ANSWERED') {
        await this.step(this.d.requests.db, req, 'answer_refused', `authorizer:${authorizer.no}`, {
          code: err.code,
          via,
        });
      }
      throw err;
    }
  }

  private async applyAnswer(
    req: RequestRow,
    a: AuthorizerAnswer,
    via: AnswerSource,
    before: ((trx: Executor) => Promise<void>) | undefined,
  ) {
    const now = this.now();
    if (req.state === 'failed' && req.failure_code === 'AUTHORIZATION_REQUEST_EXPIRED') {
      throw new LockerError('AUTHORIZATION_REQUEST_EXPIRED', `request ${req.id} has expired`);
    }
    if (req.state === 'granted' || req.state === 'failed') {
      throw new LockerError('AUTHORIZATION_REQUEST_ANSWERED', `request ${req.id} is ${req.state} already`);
    }
    if (req.expires_at <= now.toISOString()) {
      await this.fail(req, 'AUTHORIZATION_REQUEST_EXPIRED');
      throw new LockerError('AUTHORIZATION_REQUEST_EXPIRED', `request ${req.id} has expired`);
    }
    if (a.siteNo !== req.site_no || a.boxNo !== req.box_no) {
      throw new LockerError(
        'ANSWER_MISMATCH',
        `the answer names ${a.siteNo}/${a.boxNo}, the request ${req.site_no}/${req.box_no}`,
      );
    }
    const grantee = await this.d.authorizations.findGrantee(a.grantee);
    const grant = await this.grantFor(req, a, via, grantee, now, before).catch(async (err: unknown) => {
      // Two answers raced: the loser meets the winner's grant first; say what really happened.
      const after = await this.d.requests.find(req.id);
      if (isLockerError(err) && err.code === 'BOX_ALREADY_GRANTED' && after?.state === 'granted') {
        throw new LockerError('AUTHORIZATION_REQUEST_ANSWERED', `request ${req.id} was answered already`);
      }
      throw err;
    });
    return { request: await this.views.of(await this.d.requests.get(req.id)), grant };
  }

  private grantFor(
    req: RequestRow,
    a: AuthorizerAnswer,
    via: AnswerSource,
    grantee: UserRow,
    now: Date,
    before: ((trx: Executor) => Promise<void>) | undefined,
  ) {
    const by = `authorizer:${req.authorizer_no}`;
    return this.d.authorizations.applyGrant({
      holderId: req.holder_id,
      siteNo: req.site_no,
      boxNo: req.box_no,
      grantee,
      authorizerNo: req.authorizer_no,
      ...(before ? { before } : {}),
      within: async (trx, commit, g) => {
        const at = now.toISOString();
        const closed = await this.d.requests.close(
          trx,
          req.id,
          { state: 'granted', granteeId: grantee.id, grantId: g.id },
          at,
        );
        if (!closed) {
          throw new LockerError('AUTHORIZATION_REQUEST_ANSWERED', `request ${req.id} was answered already`);
        }
        const withGrantee = { ...req, grantee_id: grantee.id };
        await this.step(trx, withGrantee, 'answered', by, { grantee: a.grantee, via, grantId: g.id });
        await this.step(trx, withGrantee, 'confirmed', null, { to: 'holder', grantId: g.id });
        const confirmation: ConfirmationMessage = {
          type: 'confirmation',
          requestId: req.id,
          authorizerNo: req.authorizer_no,
          siteNo: req.site_no,
          boxNo: req.box_no,
          grantee: a.grantee,
          grantId: g.id,
          grantExpiresAt: g.expires_at,
        };
        await this.d.queue.enqueue(
          trx,
          { requestId: req.id, authorizerNo: req.authorizer_no, kind: 'confirmation', body: confirmation },
          now,
        );
        this.queued(commit);
      },
    });
  }

  /** The authorizer took the request (202) and will call back. */
  async accepted(requestId: string, attempt: number): Promise<void> {
    const req = await this.d.requests.get(requestId);
    await this.d.requests.markSent(requestId, this.now().toISOString());
    await this.step(this.d.requests.db, req, 'sent', null, { answer: 'accepted', attempt });
  }

  /** The request reached the authorizer and it answered at once (200). */
  async delivered(requestId: string, attempt: number, db: Executor = this.d.requests.db): Promise<void> {
    const req = await this.d.requests.get(requestId, db);
    await this.step(db, req, 'sent', null, { answer: 'answered', attempt });
  }

  /** The authorizer acknowledged its confirmation (step F on its side). */
  async confirmedToAuthorizer(requestId: string, attempt: number): Promise<void> {
    const req = await this.d.requests.get(requestId);
    await this.step(this.d.requests.db, req, 'confirmed', null, { to: 'authorizer', attempt });
  }

  /** Closes an open request as failed, tells the holder; the box was never touched. */
  async fail(req: RequestRow, code: string): Promise<boolean> {
    return this.d.units.run(async (trx, commit) => {
      const closed = await this.d.requests.close(
        trx,
        req.id,
        { state: 'failed', code },
        this.now().toISOString(),
      );
      if (!closed) return false;
      await this.step(trx, req, 'failed', null, { code });
      await this.d.notifyIn(trx, commit, req.holder_id, 'authorization.failed', {
        requestId: req.id,
        siteNo: req.site_no,
        boxNo: req.box_no,
        authorizerNo: req.authorizer_no,
        code,
      });
      return true;
    });
  }

  /** The sweep: open requests past their expiry fail (the authorizer never answered in time). */
  async expireDue(): Promise<number> {
    let n = 0;
    for (const req of await this.d.requests.due(this.now().toISOString())) {
      if (await this.fail(req, 'AUTHORIZATION_REQUEST_EXPIRED')) n++;
    }
    return n;
  }

  private queued(commit: AfterCommit): void {
    const kick = this.d.onQueued;
    if (kick) commit.after(kick);
  }

  private step(
    db: Executor,
    req: Pick<RequestRow, 'id' | 'site_no' | 'box_no' | 'holder_id' | 'grantee_id'>,
    event: string,
    actor: string | null,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    return this.d.timeline.record(
      {
        subject: 'request',
        subjectId: req.id,
        event,
        siteNo: req.site_no,
        boxNo: req.box_no,
        actor,
        holderId: req.holder_id,
        granteeId: req.grantee_id,
        ...(detail ? { detail } : {}),
      },
      db,
    );
  }
}

/** The earlier of two ISO times (they compare as strings). */
function earlier(a: string, b: string): string {
  return a.localeCompare(b) <= 0 ? a : b;
}
