import type { UserRepository } from '../accounts/user-repository.js';
import type { CloudConfig } from '../config.js';
import type { DesiredStateService } from '../fleet/desired-state-service.js';
import type { SiteRepository } from '../sites/site-repository.js';
import type { TimelineRecorder } from '../timeline/timeline-recorder.js';
import type { ReservationQuota } from './reservation-quota.js';
import type { ReservationRepository } from './reservation-repository.js';

/** Publishes a notification to a user (NotificationService.publish). */
export type Notify = (userId: string, kind: string, payload: unknown) => Promise<unknown>;

/** What reservations and authorizations share: the records, the rights' desired state, the timeline. */
export interface RightsDeps {
  users: UserRepository;
  sites: SiteRepository;
  reservations: ReservationRepository;
  quota: ReservationQuota;
  desired: Pick<DesiredStateService, 'changeGrants'>;
  timeline: TimelineRecorder;
  notify: Notify;
  config: CloudConfig['rights'];
  now?: () => Date;
}
