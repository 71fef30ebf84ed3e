import type { Logger } from 'pino';
import { SecretSeal } from '../accounts/secret-seal.js';
import type { UserRepository } from '../accounts/user-repository.js';
import type { AuthorizationService } from '../authorizations/authorization-service.js';
import type { CloudConfig } from '../config.js';
import type { Db } from '../db/database.js';
import type { GroupCommit } from '../db/group-commit.js';
import { IntervalWorker } from '../lifecycle/interval-worker.js';
import type { Subsystem } from '../lifecycle/subsystem-plan.js';
import type { NotifyIn } from '../reservations/rights-deps.js';
import { TimelineRecorder } from '../timeline/timeline-recorder.js';
import type { TimelineRepository } from '../timeline/timeline-repository.js';
import type { postSigned } from './authorizer-client.js';
import { AuthorizerRegistry } from './authorizer-registry.js';
import { AuthorizerRepository } from './authorizer-repository.js';
import { DeliveryQueue } from './delivery-queue.js';
import { DeliveryWorker } from './delivery-worker.js';
import { RequestRepository } from './request-repository.js';
import { RequestTimeline } from './request-timeline.js';
import { SeenSignatures } from './seen-signatures.js';
import { ThirdPartyService } from './third-party-service.js';

/** Method 2 (ADR 0016): the registry, the requests, the webhook queue and its worker. No I/O here. */
export interface Authorizers {
  registry: AuthorizerRegistry;
  service: ThirdPartyService;
  requests: RequestRepository;
  queue: DeliveryQueue;
  timeline: RequestTimeline;
  /** One pass of the webhook worker (tests call it directly). */
  sender: DeliveryWorker;
  /** The sender in the subsystem plan: its interval, and a pass at once when a message is queued. */
  worker: Subsystem;
}

export interface AuthorizersWiring {
  db: Db;
  config: CloudConfig;
  units: GroupCommit;
  authorizations: AuthorizationService;
  users: UserRepository;
  timeline: TimelineRepository;
  notifyIn: NotifyIn;
  logger: Logger;
  post?: typeof postSigned;
  now?: () => Date;
}

export function createAuthorizers(w: AuthorizersWiring): Authorizers {
  const seal = SecretSeal.fromConfig(w.config.secrets.sealKey, w.config.adminToken);
  const registry = new AuthorizerRegistry(new AuthorizerRepository(w.db), seal, w.now);
  const requests = new RequestRepository(w.db);
  const queue = new DeliveryQueue(w.db);
  const signatures = new SeenSignatures(w.db);
  // Set once the worker is started: a kick before start or after stop would use a closed database.
  let live = false;
  let kickPending = false;
  const kick = () => {
    if (!live || kickPending) return;
    kickPending = true;
    // Coalesced: requests committed together share one pass (it claims every due row).
    setImmediate(() => {
      kickPending = false;
      if (live) void interval.runOnce();
    });
  };
  const service = new ThirdPartyService({
    registry,
    requests,
    queue,
    signatures,
    authorizations: w.authorizations,
    users: w.users,
    timeline: new TimelineRecorder(w.timeline),
    units: w.units,
    notifyIn: w.notifyIn,
    config: w.config.authorizers,
    ...(w.config.authorizers.sendAtOnce ? { onQueued: kick } : {}),
    ...(w.now ? { now: w.now } : {}),
  });
  const sender = new DeliveryWorker({
    queue,
    registry,
    requests,
    signatures,
    service,
    config: w.config.authorizers,
    logger: w.logger,
    ...(w.post ? { post: w.post } : {}),
  });
  const interval = new IntervalWorker({
    name: 'authorizer-deliveries',
    intervalMs: w.config.authorizers.workerIntervalMs,
    run: () => sender.pass(),
    logger: w.logger,
  });
  return {
    registry,
    service,
    requests,
    queue,
    timeline: new RequestTimeline(service, w.timeline),
    sender,
    worker: {
      async start() {
        await interval.start();
        live = true;
      },
      async stop() {
        live = false;
        await interval.stop();
      },
    },
  };
}
