import { randomUUID } from 'node:crypto';
import type { CabinetEvent, EventData, EventType } from '@locker/protocol';
import type { EdgeStore, Statements } from './edge-store.js';

interface OutboxRow {
  seq: number;
  id: string;
  type: string;
  at: string;
  data: string;
  last_sent_at: string | null;
}

const SQL = {
  insert: 'INSERT INTO outbox (id, type, at, data) VALUES (?, ?, ?, ?)',
  due: 'SELECT * FROM outbox WHERE last_sent_at IS NULL OR last_sent_at < ? ORDER BY seq LIMIT ?',
  markSent: 'UPDATE outbox SET last_sent_at = ? WHERE id = ?',
  resetSent: 'UPDATE outbox SET last_sent_at = NULL',
  ack: 'DELETE FROM outbox WHERE id = ?',
  depth: 'SELECT COUNT(*) AS n FROM outbox',
  all: 'SELECT * FROM outbox ORDER BY seq',
} as const;

/**
 * Events waiting for the cloud's acknowledgement. `append` must run inside the transaction that makes
 * the state change it reports, so the two are committed together or not at all.
 */
export class Outbox {
  private readonly listeners = new Set<() => void>();

  private readonly q: Statements<keyof typeof SQL>;

  constructor(
    private readonly store: EdgeStore,
    private readonly cabinetId: string,
  ) {
    this.q = store.statements(SQL);
  }

  append<T extends EventType>(type: T, data: EventData<T>, at = new Date().toISOString()): CabinetEvent {
    const id = randomUUID();
    const info = this.q.insert.run(id, type, at, JSON.stringify(data));
    queueMicrotask(() => {
      for (const l of this.listeners) l();
    });
    return {
      id,
      seq: Number(info.lastInsertRowid),
      cabinetId: this.cabinetId,
      type,
      at,
      data,
    } as CabinetEvent;
  }

  /** Called (after the current task) whenever an event was appended. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Oldest first: events never sent, and those sent before `resendBefore` without an ack. */
  due(limit: number, resendBefore: string): CabinetEvent[] {
    const rows = this.q.due.all(resendBefore, limit) as OutboxRow[];
    return rows.map((r) => this.toEvent(r));
  }

  markSent(ids: readonly string[], at = new Date().toISOString()): void {
    const stmt = this.q.markSent;
    this.store.tx(() => {
      for (const id of ids) stmt.run(at, id);
    });
  }

  /** Sent events come back as due at once (after a reconnect nothing in flight can be trusted). */
  resetSent(): void {
    this.q.resetSent.run();
  }

  /** Acknowledged events leave the outbox. Unknown ids are ignored (acks may be repeated). */
  ack(ids: readonly string[]): number {
    const stmt = this.q.ack;
    return this.store.tx(() => ids.reduce((n, id) => n + stmt.run(id).changes, 0));
  }

  depth(): number {
    return (this.q.depth.get() as { n: number }).n;
  }

  /** Every waiting event in order (diagnostics and tests). */
  all(): CabinetEvent[] {
    const rows = this.q.all.all() as OutboxRow[];
    return rows.map((r) => this.toEvent(r));
  }

  private toEvent(r: OutboxRow): CabinetEvent {
    return {
      id: r.id,
      seq: r.seq,
      cabinetId: this.cabinetId,
      type: r.type,
      at: r.at,
      data: JSON.parse(r.data) as unknown,
    } as CabinetEvent;
  }
}
