import type { BoxState, CabinetEvent } from '@locker/protocol';
import type { Logger } from 'pino';
import { SecretSeal } from './accounts/secret-seal.js';
import { UserRepository } from './accounts/user-repository.js';
import { AuthorizationService } from './authorizations/authorization-service.js';
import { GrantRepository } from './authorizations/grant-repository.js';
import { RightUseFollower } from './authorizations/right-use-follower.js';
import type { CloudConfig } from './config.js';
import type { Db } from './db/database.js';
import type { CabinetRepository } from './fleet/cabinet-repository.js';
import type { GrantSource } from './fleet/desired/grant-source.js';
import type { DesiredStateService } from './fleet/desired-state-service.js';
import type { GrantTokens } from './grant-tokens/grant-tokens-module.js';
import { ParcelRepository } from './parcels/parcel-repository.js';
import { ReservationQuota } from './reservations/reservation-quota.js';
import { ReservationRepository } from './reservations/reservation-repository.js';
import { ReservationService } from './reservations/reservation-service.js';
import type { Notify, NotifyIn, RightsDeps } from './reservations/rights-deps.js';
import type { CabinetAccessKeys } from './security/cabinet-access-keys.js';
import { BoxStateSync } from './sites/box-state-sync.js';
import { SiteRepository } from './sites/site-repository.js';
import { TimelineRecorder } from './timeline/timeline-recorder.js';
import { TimelineRepository } from './timeline/timeline-repository.js';

/** The tables of the patent's records; built first, since desired state reads grants from two. */
export interface RightsRecords {
  users: UserRepository;
  sites: SiteRepository;
  reservations: ReservationRepository;
  grants: GrantRepository;
  quota: ReservationQuota;
  timeline: TimelineRepository;
  /** Read only: which boxes hold a parcel for a user (their pickup rights). */
  parcels: ParcelRepository;
  /** The grant sources of a cabinet's desired state (reservations, authorizations). */
  grantSources: GrantSource[];
}

export function createRightsRecords(db: Db): RightsRecords {
  const reservations = new ReservationRepository(db);
  const grants = new GrantRepository(db);
  return {
    users: new UserRepository(db),
    sites: new SiteRepository(db),
    reservations,
    grants,
    quota: new ReservationQuota(db),
    timeline: new TimelineRepository(db),
    parcels: new ParcelRepository(db),
    grantSources: [reservations, grants],
  };
}

/** Sites and boxes, reservations, direct authorizations and the timeline (issue 8, ADR 0014). */
export interface Rights {
  records: RightsRecords;
  boxSync: BoxStateSync;
  reservations: ReservationService;
  authorizations: AuthorizationService;
  follower: RightUseFollower;
  /** Signed grant tokens: signing keys, issuer and revocations (ADR 0017). */
  tokens: GrantTokens;
  /** Feeds a cabinet's box state (FleetLink `box`); applied in arrival order with the events. */
  onBox(cabinetId: string, box: BoxState): void;
  /** Feeds a cabinet event (FleetLink `event`). */
  onEvent(ev: CabinetEvent): void;
  /** Resolves once everything fed so far has been applied (tests, shutdown). */
  settle(): Promise<void>;
  /** One pass of the expiry sweep (reservations, then grants); answers how many ended. */
  sweep(): Promise<number>;
}

export interface RightsWiring {
  config: CloudConfig;
  cabinets: CabinetRepository;
  desired: Pick<DesiredStateService, 'changeGrants'>;
  notify: Notify;
  notifyIn: NotifyIn;
  accessKeys: CabinetAccessKeys;
  /** Signed grant tokens: grantees get them, revocations reach cabinets (ADR 0017). */
  grantTokens: GrantTokens;
  logger: Logger;
  now?: () => Date;
}

export function createRights(records: RightsRecords, w: RightsWiring): Rights {
  const deps: RightsDeps = {
    users: records.users,
    sites: records.sites,
    reservations: records.reservations,
    quota: records.quota,
    parcels: records.parcels,
    desired: w.desired,
    timeline: new TimelineRecorder(records.timeline),
    accessKeys: w.accessKeys,
    notifyIn: w.notifyIn,
    notify: (userId, kind, payload) =>
      w.notify(userId, kind, payload).catch((err: unknown) => {
        w.logger.error({ err, userId, kind }, 'notification not stored');
      }),
    config: w.config.rights,
    ...(w.now ? { now: w.now } : {}),
  };
  const seal = SecretSeal.fromConfig(w.config.secrets.sealKey, w.config.adminToken);
  const reservations = new ReservationService(deps);
  const boxSync = new BoxStateSync(records.sites, w.cabinets);
  // One queue: a deposit event and the box state that follows it must not be applied out of order.
  let queue: Promise<void> = Promise.resolve();
  const feed = (what: string, work: () => Promise<void>) => {
    queue = queue.then(work).catch((err: unknown) => w.logger.error({ err, what }, 'rights feed failed'));
  };
  const authorizations = new AuthorizationService(deps, records.grants, seal, w.grantTokens);
  const follower = new RightUseFollower(deps, records.grants);
  return {
    records,
    boxSync,
    reservations,
    authorizations,
    follower,
    tokens: w.grantTokens,
    onBox: (cabinetId, box) => feed('box', () => boxSync.apply(cabinetId, box)),
    onEvent: (ev) => feed(ev.type, () => follower.apply(ev)),
    settle: () => queue,
    async sweep() {
      const ended = (await reservations.expireDue()) + (await authorizations.expireDue());
      await w.grantTokens.revocations.prune((w.now?.() ?? new Date()).toISOString());
      return ended;
    },
  };
}
