import type { Logger } from 'pino';
import { type TimelineEntry, toTimelineEntry } from '../timeline/timeline-recorder.js';
import type { TimelineRepository, TimelineRow } from '../timeline/timeline-repository.js';
import type { ParcelRow } from './parcel-repository.js';

/**
 * A parcel's 全程跟踪: the cloud's own steps (announced, notified, reminded, expired by the sweep)
 * under the cloud's parcel id, and the cabinet's steps (deposited, picked up, expired, recollected,
 * recorded by the right-use follower) under the cabinet's parcel id at that cabinet. Never a code.
 */
export class ParcelTimeline {
  constructor(
    private readonly repo: TimelineRepository,
    private readonly logger: Logger,
  ) {}

  /** A failed record is logged, not thrown: the parcel's move and its message stand on their own. */
  async record(
    p: ParcelRow,
    event: string,
    actor: string | null,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.repo.append({
        subject: 'parcel',
        subjectId: p.id,
        siteNo: p.cabinet_id,
        boxNo: p.box_no,
        event,
        actor,
        ...(detail ? { detail } : {}),
      });
    } catch (err) {
      this.logger.error({ err, parcelId: p.id, event }, 'parcel timeline entry not recorded');
    }
  }

  async of(p: ParcelRow): Promise<TimelineEntry[]> {
    const own = await this.repo.forSubject('parcel', p.id);
    const atCabinet = p.cabinet_parcel_id
      ? (await this.repo.forSubject('parcel', p.cabinet_parcel_id)).filter((r) => r.site_no === p.cabinet_id)
      : [];
    const byId = new Map<string, TimelineRow>();
    for (const row of [...own, ...atCabinet]) byId.set(row.id, row);
    return [...byId.values()]
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1))
      .map(toTimelineEntry);
  }
}
