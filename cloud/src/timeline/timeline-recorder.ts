import type { Executor } from '../fleet/desired/desired-version-repository.js';
import type {
  NewTimelineEntry,
  TimelineRepository,
  TimelineRow,
  TimelineSubject,
} from './timeline-repository.js';

/** One entry as clients see it. */
export interface TimelineEntry {
  at: string;
  event: string;
  subject: TimelineSubject;
  subjectId: string;
  siteNo: string | null;
  boxNo: string | null;
  actor: string | null;
  detail: Record<string, unknown> | null;
}

/**
 * What other modules (reservations, authorizations, parcels, the cabinet event follower) call to
 * record a step of 全程跟踪. Pass the transaction of the change so the step commits with it.
 */
export class TimelineRecorder {
  constructor(private readonly repo: TimelineRepository) {}

  record(entry: NewTimelineEntry, trx?: Executor): Promise<void> {
    return this.repo.append(entry, trx);
  }
}

export function toTimelineEntry(r: TimelineRow): TimelineEntry {
  return {
    at: r.at,
    event: r.event,
    subject: r.subject_kind,
    subjectId: r.subject_id,
    siteNo: r.site_no,
    boxNo: r.box_no,
    actor: r.actor,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
  };
}
