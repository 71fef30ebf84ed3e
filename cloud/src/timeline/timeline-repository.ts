import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { TimelineEntriesTable } from '../db/schema.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';

export type TimelineRow = Selectable<TimelineEntriesTable>;
export type TimelineSubject = TimelineEntriesTable['subject_kind'];

export interface NewTimelineEntry {
  subject: TimelineSubject;
  subjectId: string;
  event: string;
  siteNo?: string | null | undefined;
  boxNo?: string | null | undefined;
  actor?: string | null | undefined;
  holderId?: string | null | undefined;
  granteeId?: string | null | undefined;
  /** Never a secret: codes and verifiers stay out of the timeline. */
  detail?: Record<string, unknown> | undefined;
  at?: string | undefined;
}

let lastMs = 0;
let counter = 0;

/** Ids sort by time of recording (base-36 ms + counter), so a timeline reads in order. */
function entryId(now: number): string {
  counter = now === lastMs ? counter + 1 : 0;
  lastMs = now;
  return `T${now.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
}

/** The timeline table: insert and read, never update or delete (append-only by construction). */
export class TimelineRepository {
  constructor(private readonly db: Db) {}

  async append(e: NewTimelineEntry, db: Executor = this.db): Promise<void> {
    const now = Date.now();
    await db
      .insertInto('timeline_entries')
      .values({
        id: entryId(now),
        at: e.at ?? new Date(now).toISOString(),
        subject_kind: e.subject,
        subject_id: e.subjectId,
        site_no: e.siteNo ?? null,
        box_no: e.boxNo ?? null,
        event: e.event,
        actor: e.actor ?? null,
        holder_id: e.holderId ?? null,
        grantee_id: e.granteeId ?? null,
        detail: e.detail ? JSON.stringify(e.detail) : null,
      })
      .execute();
  }

  /** A box's timeline; with `party`, only entries that person is a party to. */
  forBox(siteNo: string, boxNo: string, party?: string, since?: string): Promise<TimelineRow[]> {
    let q = this.db
      .selectFrom('timeline_entries')
      .selectAll()
      .where('site_no', '=', siteNo)
      .where('box_no', '=', boxNo);
    if (since) q = q.where('at', '>=', since);
    if (party)
      q = q.where((w) =>
        w.or([w('holder_id', '=', party), w('grantee_id', '=', party), w('actor', '=', party)]),
      );
    return q.orderBy('id').limit(1000).execute();
  }

  forSubject(subject: TimelineSubject, subjectId: string): Promise<TimelineRow[]> {
    return this.db
      .selectFrom('timeline_entries')
      .selectAll()
      .where('subject_kind', '=', subject)
      .where('subject_id', '=', subjectId)
      .orderBy('id')
      .limit(1000)
      .execute();
  }
}
