import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import type { Ledger } from '../src/ledger/ledger.js';
import { LedgerPayments, walletAccount } from '../src/ledger/payment-provider.js';
import { openTestDb } from './tasks-helpers.js';

type Op =
  | { op: 'credit'; user: number; amount: number; key: number }
  | { op: 'hold'; hold: number; payer: number; amount: number }
  | { op: 'release'; hold: number; payee: number }
  | { op: 'refund'; hold: number };

const USERS = 3;
const HOLDS = 4;
const amount = fc.integer({ min: 1, max: 400 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('credit' as const),
    user: fc.nat(USERS - 1),
    amount,
    key: fc.nat(3),
  }),
  fc.record({ op: fc.constant('hold' as const), hold: fc.nat(HOLDS - 1), payer: fc.nat(USERS - 1), amount }),
  fc.record({ op: fc.constant('release' as const), hold: fc.nat(HOLDS - 1), payee: fc.nat(USERS - 1) }),
  fc.record({ op: fc.constant('refund' as const), hold: fc.nat(HOLDS - 1) }),
);

/**
 * What the money should be after each operation, kept by plain arithmetic: a key seen before
 * for the same thing moves nothing; for something else it is refused.
 */
class Model {
  wallets = new Map<string, number>();
  keys = new Map<string, string>();
  holds = new Map<string, { payer: string; amount: number; state: 'held' | 'released' | 'refunded' }>();

  wallet(u: string) {
    return this.wallets.get(u) ?? 0;
  }

  /** The error code the ledger must give, or undefined when it must succeed. */
  expect(key: string, what: string, apply: () => string | undefined): string | undefined {
    const seen = this.keys.get(key);
    if (seen !== undefined) return seen === what ? undefined : 'IDEMPOTENCY_KEY_REUSED';
    const refusal = apply();
    if (refusal === undefined) this.keys.set(key, what);
    return refusal;
  }
}

describe('the double-entry ledger', () => {
  let t: { db: Db; close(): Promise<void> };
  let payments: LedgerPayments;
  let ledger: Ledger;
  beforeAll(async () => {
    t = await openTestDb();
    payments = new LedgerPayments(t.db);
    ledger = payments.ledger;
  });
  afterAll(async () => {
    await t?.close();
  });

  const codeOf = async (p: Promise<unknown>): Promise<string | undefined> => {
    try {
      await p;
      return undefined;
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    }
  };

  it('keeps every balance equal to its entries and their sum zero; a repeated key moves no money twice', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        run++;
        const m = new Model();
        const user = (i: number) => `prop${run}-u${i}`;
        const hold = (i: number) => `prop${run}-h${i}`;
        for (const o of ops) {
          let expected: string | undefined;
          let actual: string | undefined;
          if (o.op === 'credit') {
            const u = user(o.user);
            const key = `prop${run}-credit-${o.key}`;
            expected = m.expect(key, `${u}:${o.amount}`, () => {
              m.wallets.set(u, m.wallet(u) + o.amount);
              return undefined;
            });
            actual = await codeOf(
              payments.credit({ userId: u, amount: o.amount, idempotencyKey: key, reference: 'r' }),
            );
          } else if (o.op === 'hold') {
            const [h, payer] = [hold(o.hold), user(o.payer)];
            expected = m.expect(`${h}:hold`, `${payer}:${o.amount}`, () => {
              if (m.wallet(payer) < o.amount) return 'INSUFFICIENT_FUNDS';
              m.wallets.set(payer, m.wallet(payer) - o.amount);
              m.holds.set(h, { payer, amount: o.amount, state: 'held' });
              return undefined;
            });
            actual = await codeOf(
              payments.hold({
                holdId: h,
                payer,
                amount: o.amount,
                reference: h,
                idempotencyKey: `${h}:hold`,
              }),
            );
          } else {
            const h = hold(o.hold);
            const held = m.holds.get(h);
            const to = o.op === 'release' ? user(o.payee) : held?.payer;
            const key = `${h}:${o.op}`;
            expected = !held
              ? 'NOT_FOUND'
              : m.expect(key, `${to}`, () => {
                  if (held.state !== 'held') return 'INSUFFICIENT_FUNDS';
                  held.state = o.op === 'release' ? 'released' : 'refunded';
                  m.wallets.set(to as string, m.wallet(to as string) + held.amount);
                  return undefined;
                });
            actual = await codeOf(
              o.op === 'release'
                ? payments.release({ holdId: h, payee: user(o.payee), idempotencyKey: key })
                : payments.refund({ holdId: h, idempotencyKey: key }),
            );
          }
          expect([o, actual]).toEqual([o, expected]);
        }
        for (let i = 0; i < USERS; i++) expect(await payments.available(user(i))).toBe(m.wallet(user(i)));
        const { balances, entrySums } = await ledger.audit();
        expect(Object.values(balances).reduce((s, v) => s + v, 0)).toBe(0);
        for (const [account, balance] of Object.entries(balances)) {
          expect([account, balance]).toEqual([account, entrySums[account] ?? 0]);
          if (!account.startsWith('external:')) expect(balance).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('posts a key once when the same credit arrives many times at once', async () => {
    const user = 'parallel-user';
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        payments.credit({ userId: user, amount: 250, idempotencyKey: 'parallel-key', reference: 'r' }),
      ),
    );
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await ledger.balance(walletAccount(user))).toBe(250);
  });

  it('refuses a transaction that does not balance and one with fractions of a fen', async () => {
    const entries = [
      { account: 'user:x', amount: 5 },
      { account: 'external:credits', amount: -4 },
    ];
    await expect(
      ledger.post({ idempotencyKey: 'unbalanced', kind: 'k', reference: 'r', entries }),
    ).rejects.toThrow(/balance/);
    const fractions = [
      { account: 'user:x', amount: 0.5 },
      { account: 'external:credits', amount: -0.5 },
    ];
    await expect(
      ledger.post({ idempotencyKey: 'fractions', kind: 'k', reference: 'r', entries: fractions }),
    ).rejects.toThrow(/whole fen/);
    expect(await ledger.balance('user:x')).toBe(0);
  });
});
