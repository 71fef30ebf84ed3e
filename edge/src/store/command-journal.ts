import type { CommandResponse } from '@locker/protocol';
import type { EdgeStore, Statements } from './edge-store.js';

const SQL = {
  begin: 'INSERT OR IGNORE INTO commands (transaction_id, op, received_at) VALUES (?, ?, ?)',
  finish: 'UPDATE commands SET response = ? WHERE transaction_id = ?',
  answerOf: 'SELECT response FROM commands WHERE transaction_id = ?',
} as const;

/**
 * Remembers every command transaction the cabinet has taken on. MQTT QoS 1 may deliver a request
 * twice; a door must open once, so the second delivery gets the first answer.
 */
export class CommandJournal {
  private readonly q: Statements<keyof typeof SQL>;

  constructor(store: EdgeStore) {
    this.q = store.statements(SQL);
  }

  /** Returns false if the transaction was seen before (and must not run again). */
  begin(transaction: string, op: string): boolean {
    const info = this.q.begin.run(transaction, op, new Date().toISOString());
    return info.changes === 1;
  }

  finish(response: CommandResponse): void {
    this.q.finish.run(JSON.stringify(response), response.transaction);
  }

  /** The stored answer of an earlier delivery, or undefined while it is still running. */
  answerOf(transaction: string): CommandResponse | undefined {
    const row = this.q.answerOf.get(transaction) as { response: string | null } | undefined;
    return row?.response ? (JSON.parse(row.response) as CommandResponse) : undefined;
  }
}
