import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BargainTaskForm, UploadTaskForm } from '../src/dingo/task-forms.js';

const TID = `T2016-06-01${'a'.repeat(40)}`;
const TASK = { ew: '108.94', ns: '34.26', r: '3000', wei: '1.5', size: '(30,20,10)', cost: '500' };

describe('the Dingo §2 form fields', () => {
  it('takes c only as exactly "True" or "False"', () => {
    fc.assert(
      fc.property(fc.string(), (c) => {
        const parsed = BargainTaskForm.safeParse({ tid: TID, c, d: '10' });
        expect(parsed.success).toBe(c === 'True' || c === 'False');
      }),
      { numRuns: 2000 },
    );
    for (const near of ['true', 'TRUE', 'True ', ' True', 'False\n', 'T', '1', '0']) {
      expect(BargainTaskForm.safeParse({ tid: TID, c: near, d: '10' }).success).toBe(false);
    }
  });

  it('takes a price only as a whole, non-negative number of fen, written plainly', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 100_000_000 }), (fen) => {
        const parsed = UploadTaskForm.safeParse({ ...TASK, cost: String(fen) });
        expect(parsed.success).toBe(fen >= 0);
        if (parsed.success) expect(parsed.data.cost).toBe(fen);
      }),
    );
    for (const bad of ['1.5', '1e3', '', ' 5', '0x10', 'NaN', 'Infinity', '100000001']) {
      expect([bad, UploadTaskForm.safeParse({ ...TASK, cost: bad }).success]).toEqual([bad, false]);
    }
  });

  it('takes coordinates only within [-180, 180] and [-90, 90], and a radius only above 0', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -400, max: 400, noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: -200, max: 200, noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true, noDefaultInfinity: true }),
        (ew, ns, r) => {
          const text = (x: number) => x.toFixed(6);
          const [e, n, rr] = [Number(text(ew)), Number(text(ns)), Number(text(r))];
          const parsed = UploadTaskForm.safeParse({ ...TASK, ew: text(ew), ns: text(ns), r: text(r) });
          expect(parsed.success).toBe(Math.abs(e) <= 180 && Math.abs(n) <= 90 && rr > 0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
