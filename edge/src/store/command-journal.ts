import type { CommandResponse } from '@locker/protocol';
import type { EdgeStore } from './edge-store.js';

/**
 * Remembers every command transaction the cabinet has taken on. MQTT QoS 1 may deliver a request
 * twice; a door must open once, so the second delivery gets the first answer.
 */
export class CommandJournal {
  constructor(private readonly store: EdgeStore) {}

  /** Returns false if the transaction was seen before (and must not run again). */
  begin(transaction: string, op: string): boolean {
    const info = this.store.db
      .prepare('INSERT OR IGNORE INTO commands (transaction_id, op, received_at) VALUES (?, ?, ?)')
      .run(transaction, op, new Date().toISOString());
    return info.changes === 1;
  }

  finish(response: CommandResponse): void {
    this.store.db
      .prepare('UPDATE commands SET response = ? WHERE transaction_id = ?')
      .run(JSON.stringify(response), response.transaction);
  }

  /** The stored answer of an earlier delivery, or undefined while it is still running. */
  answerOf(transaction: string): CommandResponse | undefined {
    const row = this.store.db
      .prepare('SELECT response FROM commands WHERE transaction_id = ?')
      .get(transaction) as { response: string | null } | undefined;
    return row?.response ? (JSON.parse(row.response) as CommandResponse) : undefined;
  }
}
