import { randomUUID } from 'node:crypto';
import type { BoxNo, EventData } from '@locker/protocol';
import type { Logger } from 'pino';
import type { EdgeStore, Statements } from '../store/edge-store.js';
import type { Outbox } from '../store/outbox.js';

export type AlarmKind = EventData<'alarm.raised'>['kind'];

export interface ActiveAlarm {
  alarmId: string;
  kind: AlarmKind;
  subject: string;
  boxNo: BoxNo | null;
  board: number | null;
  message: string;
  raisedAt: string;
}

interface AlarmRow {
  alarm_id: string;
  kind: AlarmKind;
  subject: string;
  box_no: string | null;
  board: number | null;
  message: string;
  raised_at: string;
}

const SQL = {
  activeId: 'SELECT alarm_id FROM alarms WHERE kind = ? AND subject = ? AND cleared_at IS NULL',
  insert:
    'INSERT INTO alarms (alarm_id, kind, subject, box_no, board, message, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  clear: 'UPDATE alarms SET cleared_at = ? WHERE alarm_id = ?',
  active: 'SELECT * FROM alarms WHERE cleared_at IS NULL ORDER BY raised_at',
} as const;

/**
 * Raises and clears alarms as events. An alarm is identified by its kind and subject (`box:03`,
 * `board:1`, `courier:C-1`), so raising one that is already active does nothing and clearing one that is
 * not does nothing: the watchers can call these on every observation.
 */
export class AlarmKeeper {
  private readonly q: Statements<keyof typeof SQL>;

  constructor(
    private readonly store: EdgeStore,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
  ) {
    this.q = store.statements(SQL);
  }

  raise(
    kind: AlarmKind,
    subject: string,
    message: string,
    where: { boxNo?: BoxNo; board?: number } = {},
  ): boolean {
    return this.inTx(() => {
      const active = this.q.activeId.get(kind, subject);
      if (active) return false;
      const alarmId = randomUUID();
      this.q.insert.run(
        alarmId,
        kind,
        subject,
        where.boxNo ?? null,
        where.board ?? null,
        message,
        new Date().toISOString(),
      );
      this.outbox.append('alarm.raised', { alarmId, kind, message, ...where });
      this.logger.warn({ kind, subject, ...where }, message);
      return true;
    });
  }

  clear(kind: AlarmKind, subject: string): boolean {
    return this.inTx(() => {
      const row = this.q.activeId.get(kind, subject) as { alarm_id: string } | undefined;
      if (!row) return false;
      this.q.clear.run(new Date().toISOString(), row.alarm_id);
      this.outbox.append('alarm.cleared', { alarmId: row.alarm_id });
      this.logger.info({ kind, subject }, 'alarm cleared');
      return true;
    });
  }

  /** An operator clears an alarm by its id (command `clear_alarm`); false when none is active. */
  clearById(alarmId: string): boolean {
    const row = this.store.db
      .prepare('SELECT kind, subject FROM alarms WHERE alarm_id = ? AND cleared_at IS NULL')
      .get(alarmId) as { kind: AlarmKind; subject: string } | undefined;
    return row ? this.clear(row.kind, row.subject) : false;
  }

  active(): ActiveAlarm[] {
    const rows = this.q.active.all() as AlarmRow[];
    return rows.map((r) => ({
      alarmId: r.alarm_id,
      kind: r.kind,
      subject: r.subject,
      boxNo: r.box_no,
      board: r.board,
      message: r.message,
      raisedAt: r.raised_at,
    }));
  }

  isActive(kind: AlarmKind, subject: string): boolean {
    return this.q.activeId.get(kind, subject) !== undefined;
  }

  private inTx<T>(fn: () => T): T {
    return this.store.db.inTransaction ? fn() : this.store.tx(fn);
  }
}
