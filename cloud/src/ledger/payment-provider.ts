import { LockerError } from '@locker/protocol';
import type { Kysely } from 'kysely';
import type { Db } from '../db/database.js';
import type { CloudDatabase } from '../db/schema.js';
import { Ledger } from './ledger.js';

/** A provider that shares the cloud database may join the caller's transaction; others ignore it. */
export type Within = Kysely<CloudDatabase>;

/**
 * How tasks move money: hold the price from the payer, then release it to the payee or refund it.
 * Every call carries an idempotency key, so a retry after a timeout or a crash moves nothing twice.
 * The built-in implementation is `LedgerPayments`; an external provider would implement the same.
 */
export interface PaymentProvider {
  readonly name: string;
  hold(
    req: { holdId: string; payer: string; amount: number; reference: string; idempotencyKey: string },
    within?: Within,
  ): Promise<void>;
  release(req: { holdId: string; payee: string; idempotencyKey: string }, within?: Within): Promise<void>;
  refund(req: { holdId: string; idempotencyKey: string }, within?: Within): Promise<void>;
  /** Money a user may spend, in fen. */
  available(userId: string): Promise<number>;
  /** Money put in by an operator (e.g. cash at a counter), in fen. */
  credit(req: { userId: string; amount: number; idempotencyKey: string; reference: string }): Promise<void>;
}

export const walletAccount = (userId: string) => `user:${userId}`;
export const holdAccount = (holdId: string) => `hold:${holdId}`;
export const CREDITS_ACCOUNT = 'external:credits';

/** The payment provider on the built-in ledger: wallets, holds and releases in double entry. */
export class LedgerPayments implements PaymentProvider {
  readonly name = 'ledger';
  readonly ledger: Ledger;

  constructor(private readonly db: Db) {
    this.ledger = new Ledger(db);
  }

  private run<T>(within: Within | undefined, fn: (trx: Within) => Promise<T>): Promise<T> {
    return within?.isTransaction ? fn(within) : this.db.transaction().execute(fn);
  }

  hold(
    req: { holdId: string; payer: string; amount: number; reference: string; idempotencyKey: string },
    within?: Within,
  ): Promise<void> {
    return this.run(within, async (trx) => {
      const { replayed } = await this.ledger.post(
        {
          idempotencyKey: req.idempotencyKey,
          kind: 'hold',
          reference: req.reference,
          entries: [
            { account: walletAccount(req.payer), amount: -req.amount },
            { account: holdAccount(req.holdId), amount: req.amount },
          ],
        },
        trx,
      );
      if (replayed) return;
      await trx
        .insertInto('ledger_holds')
        .values({
          id: req.holdId,
          payer: req.payer,
          amount: req.amount,
          reference: req.reference,
          state: 'held',
          payee: null,
          created_at: new Date().toISOString(),
          settled_at: null,
        })
        .execute();
    });
  }

  release(req: { holdId: string; payee: string; idempotencyKey: string }, within?: Within): Promise<void> {
    return this.settle(req.holdId, 'released', req.idempotencyKey, () => req.payee, within);
  }

  refund(req: { holdId: string; idempotencyKey: string }, within?: Within): Promise<void> {
    return this.settle(req.holdId, 'refunded', req.idempotencyKey, (payer) => payer, within);
  }

  private settle(
    holdId: string,
    to: 'released' | 'refunded',
    idempotencyKey: string,
    recipient: (payer: string) => string,
    within?: Within,
  ): Promise<void> {
    return this.run(within, async (trx) => {
      const hold = await trx
        .selectFrom('ledger_holds')
        .selectAll()
        .where('id', '=', holdId)
        .executeTakeFirst();
      if (!hold) throw new LockerError('NOT_FOUND', `no hold ${holdId}`);
      const payee = recipient(hold.payer);
      const { replayed } = await this.ledger.post(
        {
          idempotencyKey,
          kind: to === 'released' ? 'release' : 'refund',
          reference: hold.reference,
          entries: [
            { account: holdAccount(holdId), amount: -hold.amount },
            { account: walletAccount(payee), amount: hold.amount },
          ],
        },
        trx,
      );
      if (replayed) return;
      // A hold settles once: a release after a refund (or the reverse) finds an empty hold account
      // and the ledger refuses it before this line.
      await trx
        .updateTable('ledger_holds')
        .set({ state: to, payee, settled_at: new Date().toISOString() })
        .where('id', '=', holdId)
        .execute();
    });
  }

  available(userId: string): Promise<number> {
    return this.ledger.balance(walletAccount(userId));
  }

  async credit(req: {
    userId: string;
    amount: number;
    idempotencyKey: string;
    reference: string;
  }): Promise<void> {
    await this.ledger.post({
      idempotencyKey: req.idempotencyKey,
      kind: 'credit',
      reference: req.reference,
      entries: [
        { account: CREDITS_ACCOUNT, amount: -req.amount },
        { account: walletAccount(req.userId), amount: req.amount },
      ],
    });
  }
}
