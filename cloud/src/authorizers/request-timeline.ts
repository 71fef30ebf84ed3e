import { type TimelineEntry, toTimelineEntry } from '../timeline/timeline-recorder.js';
import type { TimelineRepository, TimelineRow } from '../timeline/timeline-repository.js';
import type { ThirdPartyService } from './third-party-service.js';

/**
 * A third-party request's story for its holder: its own steps, those of the grant it made, and
 * the box's steps since the request that the holder is a party to (the cabinet's opened, used,
 * deposited), as a grant's timeline shows them.
 */
export class RequestTimeline {
  constructor(
    private readonly service: ThirdPartyService,
    private readonly timeline: TimelineRepository,
  ) {}

  async of(holderId: string, requestId: string): Promise<TimelineEntry[]> {
    const req = await this.service.own(holderId, requestId);
    const own = await this.timeline.forSubject('request', req.id);
    if (!req.grant_id) return own.map(toTimelineEntry);
    const grant = await this.timeline.forSubject('grant', req.grant_id);
    const box = await this.timeline.forBox(req.site_no, req.box_no, holderId, req.created_at);
    return merge([...own, ...grant, ...box]).map(toTimelineEntry);
  }
}

/** In id order (time of recording), each entry once. */
function merge(rows: TimelineRow[]): TimelineRow[] {
  const seen = new Map<string, TimelineRow>();
  for (const row of rows) seen.set(row.id, row);
  return [...seen.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}
