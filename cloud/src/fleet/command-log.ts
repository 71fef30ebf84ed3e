import { type Db, nowIso } from '../db/database.js';

/** The audit trail of every command sent to a cabinet, and how it ended. */
export class CommandLog {
  constructor(private readonly db: Db) {}

  async sent(transaction: string, cabinetId: string, op: string, params: unknown, requestedBy?: string) {
    await this.db
      .insertInto('commands')
      .values({
        transaction,
        cabinet_id: cabinetId,
        op,
        params: JSON.stringify(params),
        status: 'sent',
        requested_by: requestedBy ?? null,
        result: null,
        created_at: nowIso(),
        completed_at: null,
      })
      .execute();
  }

  async finished(transaction: string, status: 'ok' | 'error' | 'timeout', result: unknown): Promise<void> {
    await this.db
      .updateTable('commands')
      .set({ status, result: JSON.stringify(result ?? null), completed_at: nowIso() })
      .where('transaction', '=', transaction)
      .execute();
  }

  /** Newest first, for operators (GET /v1/admin/commands). */
  async list(q: { cabinetId?: string; op?: string; limit: number; offset: number }) {
    let query = this.db.selectFrom('commands').selectAll();
    if (q.cabinetId) query = query.where('cabinet_id', '=', q.cabinetId);
    if (q.op) query = query.where('op', '=', q.op);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('transaction', 'desc')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return rows.map((r) => ({
      transaction: r.transaction,
      cabinetId: r.cabinet_id,
      op: r.op,
      params: JSON.parse(r.params) as unknown,
      status: r.status as 'sent' | 'ok' | 'error' | 'timeout',
      requestedBy: r.requested_by,
      result: r.result === null ? null : (JSON.parse(r.result) as unknown),
      createdAt: r.created_at,
      completedAt: r.completed_at,
    }));
  }

  async has(transaction: string): Promise<boolean> {
    return (await this.find(transaction)) !== undefined;
  }

  async find(transaction: string) {
    const row = await this.db
      .selectFrom('commands')
      .select(['cabinet_id', 'op', 'status'])
      .where('transaction', '=', transaction)
      .executeTakeFirst();
    return row && { cabinetId: row.cabinet_id, op: row.op, status: row.status };
  }
}
