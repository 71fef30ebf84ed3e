import { type TimelineEntry, toTimelineEntry } from '../timeline/timeline-recorder.js';
import type { TimelineRepository, TimelineRow } from '../timeline/timeline-repository.js';
import type { ThirdPartyService } from './third-party-service.js';

/** A third-party request's story for its holder: its own steps and those of the grant it made. */
export class RequestTimeline {
  constructor(
    private readonly service: ThirdPartyService,
    private readonly timeline: TimelineRepository,
  ) {}

  async of(holderId: string, requestId: string): Promise<TimelineEntry[]> {
    const req = await this.service.own(holderId, requestId);
    const own = await this.timeline.forSubject('request', req.id);
    const grant = req.grant_id ? await this.timeline.forSubject('grant', req.grant_id) : [];
    return inOrder([...own, ...grant]).map(toTimelineEntry);
  }
}

function inOrder(rows: TimelineRow[]): TimelineRow[] {
  return rows.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}
