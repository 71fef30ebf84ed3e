import type { UserRepository } from '../accounts/user-repository.js';
import type { CloudConfig } from '../config.js';
import type { AfterCommit } from '../db/group-commit.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';
import type { DesiredStateService } from '../fleet/desired-state-service.js';
import type { ParcelRepository } from '../parcels/parcel-repository.js';
import type { CabinetAccessKeys } from '../security/cabinet-access-keys.js';
import type { SiteRepository } from '../sites/site-repository.js';
import type { TimelineRecorder } from '../timeline/timeline-recorder.js';
import type { ReservationQuota } from './reservation-quota.js';
import type { ReservationRepository } from './reservation-repository.js';

/** Publishes a notification to a user (NotificationService.publish). */
export type Notify = (userId: string, kind: string, payload: unknown) => Promise<unknown>;

/** Stores a notification in a unit of work, delivered after its commit (NotificationService.publishIn). */
export type NotifyIn = (
  trx: Executor,
  commit: AfterCommit,
  userId: string,
  kind: string,
  payload: unknown,
) => Promise<unknown>;

/** What reservations and authorizations share: the records, the rights' desired state, the timeline. */
export interface RightsDeps {
  users: UserRepository;
  sites: SiteRepository;
  reservations: ReservationRepository;
  quota: ReservationQuota;
  parcels: ParcelRepository;
  desired: Pick<DesiredStateService, 'changeGrants'>;
  timeline: TimelineRecorder;
  /** Makes each grant's access-code verifier under its cabinet's key (ADR 0015). */
  accessKeys: Pick<CabinetAccessKeys, 'keyFor'>;
  /** Never throws: a notification that cannot be stored is logged, the change it tells of stands. */
  notify: Notify;
  /** In the change's own unit of work: the change and the message about it commit together. */
  notifyIn: NotifyIn;
  config: CloudConfig['rights'];
  now?: () => Date;
}
