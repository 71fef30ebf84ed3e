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
}
