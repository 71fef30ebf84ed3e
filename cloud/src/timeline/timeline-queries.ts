import { LockerError } from '@locker/protocol';
import type { GrantRepository } from '../authorizations/grant-repository.js';
import type { ReservationRepository } from '../reservations/reservation-repository.js';
import { type TimelineEntry, toTimelineEntry } from './timeline-recorder.js';
import type { TimelineRepository, TimelineRow } from './timeline-repository.js';

/**
 * 全程跟踪 for the people involved: a box's steps you were party to (holder, grantee or actor), and
 * the whole story of a grant or reservation you are party to. The modules' routes serve these;
 * operators read the repository unfiltered (admin-site-routes.ts).
 */
export class TimelineQueries {
  constructor(
    private readonly timeline: TimelineRepository,
    private readonly grants: GrantRepository,
    private readonly reservations: ReservationRepository,
  ) {}

  async ofBox(userId: string, siteNo: string, boxNo: string): Promise<TimelineEntry[]> {
    return (await this.timeline.forBox(siteNo, boxNo, userId)).map(toTimelineEntry);
  }

  /** A grant from authorization to use, for its holder and its grantee. */
  async ofGrant(userId: string, grantId: string): Promise<TimelineEntry[]> {
    const g = await this.grants.find(grantId);
    if (!g || (g.holder_id !== userId && g.grantee_id !== userId)) {
      throw new LockerError('GRANT_NOT_FOUND', `no grant ${grantId}`);
    }
    const own = await this.timeline.forSubject('grant', g.id);
    const box = await this.timeline.forBox(g.site_no, g.box_no, userId, g.created_at);
    return merge(own, box).map(toTimelineEntry);
  }

  /** A reservation from reserved to used or expired, for its reserver. */
  async ofReservation(userId: string, reservationId: string): Promise<TimelineEntry[]> {
    const r = await this.reservations.find(reservationId);
    if (!r || r.user_id !== userId) {
      throw new LockerError('RESERVATION_NOT_FOUND', `no reservation ${reservationId}`);
    }
    const own = await this.timeline.forSubject('reservation', r.id);
    const box = await this.timeline.forBox(r.site_no, r.box_no, userId, r.created_at);
    return merge(own, box).map(toTimelineEntry);
  }
}

/** Both lists are in id order (time of recording); the merge keeps it and drops duplicates. */
function merge(a: TimelineRow[], b: TimelineRow[]): TimelineRow[] {
  const seen = new Map<string, TimelineRow>();
  for (const row of [...a, ...b]) seen.set(row.id, row);
  return [...seen.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}
