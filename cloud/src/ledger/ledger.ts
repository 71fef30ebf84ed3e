import { createHash, randomUUID } from 'node:crypto';
import { LockerError } from '@locker/protocol';
import type { Kysely } from 'kysely';
import type { Db } from '../db/database.js';
import type { CloudDatabase } from '../db/schema.js';

export interface LedgerEntry {
  account: string;
  /** fen; positive credits the account, negative debits it. */
  amount: number;
}

export interface Posting {
  idempotencyKey: string;
  kind: string;
  reference: string;
  entries: LedgerEntry[];
}

/** Accounts that may go below zero: money arriving from outside the ledger is booked against them. */
export const isExternalAccount = (account: string): boolean => account.startsWith('external:');

type Exec = Kysely<CloudDatabase>;

/**
 * A double-entry ledger: every transaction's entries sum to zero, so the sum of all balances is
 * always zero. A transaction is posted once per idempotency key; the same key again (for the same
 * thing) is a no-op, for something else it is refused. Balances change with the entries in one
 * database transaction, and a debit that would take a non-external account below zero is refused
 * by a conditional update, so parallel debits cannot overdraw.
 */
export class Ledger {
  constructor(private readonly db: Db) {}

  /** Posts inside `exec` when it is a transaction, else in a transaction of its own. */
  async post(p: Posting, exec?: Exec): Promise<{ transactionId: string; replayed: boolean }> {
    if (exec?.isTransaction) return this.postIn(exec, p);
    return this.db.transaction().execute((trx) => this.postIn(trx, p));
  }

  private async postIn(trx: Exec, p: Posting): Promise<{ transactionId: string; replayed: boolean }> {
    if (p.entries.length < 2) throw new Error('a ledger transaction has at least two entries');
    for (const e of p.entries) {
      if (!Number.isSafeInteger(e.amount)) throw new Error('ledger amounts are whole fen');
    }
    if (p.entries.reduce((s, e) => s + e.amount, 0) !== 0) throw new Error('ledger entries must balance');
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([p.kind, p.reference, p.entries]))
      .digest('hex');
    const id = randomUUID();
    const now = new Date().toISOString();
    const inserted = await trx
      .insertInto('ledger_transactions')
      .values({
        id,
        idempotency_key: p.idempotencyKey,
        fingerprint,
        kind: p.kind,
        reference: p.reference,
        created_at: now,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
      const prior = await trx
        .selectFrom('ledger_transactions')
        .select(['id', 'fingerprint'])
        .where('idempotency_key', '=', p.idempotencyKey)
        .executeTakeFirstOrThrow();
      if (prior.fingerprint !== fingerprint) {
        throw new LockerError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for something else');
      }
      return { transactionId: prior.id, replayed: true };
    }
    let n = 0;
    for (const e of p.entries) {
      await trx
        .insertInto('ledger_balances')
        .values({ account: e.account, balance: 0, updated_at: now })
        .onConflict((oc) => oc.column('account').doNothing())
        .execute();
      let update = trx
        .updateTable('ledger_balances')
        .set((eb) => ({ balance: eb('balance', '+', e.amount), updated_at: now }))
        .where('account', '=', e.account);
      if (e.amount < 0 && !isExternalAccount(e.account)) update = update.where('balance', '>=', -e.amount);
      const changed = await update.executeTakeFirst();
      if (Number(changed.numUpdatedRows) === 0) {
        throw new LockerError('INSUFFICIENT_FUNDS', `not enough money in ${e.account}`, {
          account: e.account,
        });
      }
      await trx
        .insertInto('ledger_entries')
        .values({ transaction_id: id, n: n++, account: e.account, amount: e.amount })
        .execute();
    }
    return { transactionId: id, replayed: false };
  }

  async balance(account: string, exec: Exec = this.db): Promise<number> {
    const row = await exec
      .selectFrom('ledger_balances')
      .select('balance')
      .where('account', '=', account)
      .executeTakeFirst();
    return row?.balance ?? 0;
  }

  /** Every balance, and every account's sum of entries, for audits and the invariant test. */
  async audit(): Promise<{ balances: Record<string, number>; entrySums: Record<string, number> }> {
    const balances: Record<string, number> = {};
    for (const r of await this.db.selectFrom('ledger_balances').select(['account', 'balance']).execute()) {
      balances[r.account] = r.balance;
    }
    const entrySums: Record<string, number> = {};
    for (const r of await this.db.selectFrom('ledger_entries').select(['account', 'amount']).execute()) {
      entrySums[r.account] = (entrySums[r.account] ?? 0) + r.amount;
    }
    return { balances, entrySums };
  }
}
