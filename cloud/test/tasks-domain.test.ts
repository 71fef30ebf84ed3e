import { describe, expect, it } from 'vitest';
import { parseSizeText, TaskInput } from '../src/tasks/task-fields.js';
import { newTaskId } from '../src/tasks/task-ids.js';
import { TASK_MOVES, TaskStateMachine } from '../src/tasks/task-state.js';
import { aTask, insertUser, openTestDb, tasksOn } from './tasks-helpers.js';

const STATES = ['open', 'linked', 'bargaining', 'agreed', 'paid', 'done', 'cancelled', 'deleted'] as const;

describe('the task state machine', () => {
  it('allows each move only from its listed states and refuses the rest with a code', () => {
    for (const move of Object.keys(TASK_MOVES) as Array<keyof typeof TASK_MOVES>) {
      for (const state of STATES) {
        const allowed = (TASK_MOVES[move] as readonly string[]).includes(state);
        expect(TaskStateMachine.can(state, move)).toBe(allowed);
        if (!allowed) {
          const expected =
            move === 'pay' && (state === 'paid' || state === 'done')
              ? 'TASK_ALREADY_PAID'
              : 'TASK_STATE_INVALID';
          expect(() => TaskStateMachine.assert(state, move)).toThrow(
            expect.objectContaining({ code: expected }),
          );
        }
      }
    }
  });

  it('keeps only open tasks searchable', () => {
    expect(STATES.filter((s) => TaskStateMachine.searchable(s))).toEqual(['open']);
  });
});

describe('task fields', () => {
  it('parses the Dingo size triple and refuses malformed ones', () => {
    expect(parseSizeText('(30,20,10)')).toEqual({ x: 30, y: 20, z: 10 });
    expect(parseSizeText(' ( 30.5 , 20 , 1 ) ')).toEqual({ x: 30.5, y: 20, z: 1 });
    for (const bad of [
      '(30,20)',
      '(30,20,10,5)',
      '(a,b,c)',
      '(-1,2,3)',
      '(0,2,3)',
      '30x20x10',
      '',
      '(1e3,1,1)',
    ]) {
      expect(parseSizeText(bad)).toBeUndefined();
    }
  });

  it('refuses coordinates out of range, a negative price, a zero or negative radius', () => {
    for (const over of [
      { ew: 180.01 },
      { ew: -181 },
      { ns: 90.5 },
      { ns: -91 },
      { cost: -1 },
      { cost: 1.5 },
      { r: 0 },
      { r: -5 },
      { wei: 0 },
    ]) {
      expect(TaskInput.safeParse(aTask(over)).success).toBe(false);
    }
    expect(TaskInput.safeParse(aTask({ ew: 180, ns: -90, cost: 0 })).success).toBe(true);
  });

  it('makes a new id for every task, even many by one user on one day', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => newTaskId('U2016-06-01'.padEnd(51, '0'))));
    expect(ids.size).toBe(5000);
    for (const id of ids) expect(id).toMatch(/^T\d{4}-\d{2}-\d{2}[0-9a-f]{40}$/);
  });
});

describe('bargaining', () => {
  it('records every adjustment with who and when, and abandoning returns to the published price', async () => {
    const t = await openTestDb();
    try {
      const svc = tasksOn(t.db);
      const a = await insertUser(t.db);
      const b = await insertUser(t.db);
      const task = await svc.tasks.publish(a, TaskInput.parse(aTask({ linked: b })));
      expect(task.state).toBe('linked');
      await svc.tasks.offer(b, task.id, 200);
      await svc.tasks.offer(a, task.id, -50);
      let info = await svc.tasks.info(a, task.id);
      expect(info).toMatchObject({ state: 'bargaining', cost: 500, price: 650, costA: [-50], costB: [200] });
      expect(info.adjustments.map((x) => [x.party, x.userId, x.delta])).toEqual([
        ['B', b, 200],
        ['A', a, -50],
      ]);
      for (const adj of info.adjustments) expect(Number.isNaN(Date.parse(adj.at))).toBe(false);

      await expect(svc.tasks.offer(a, task.id, -700)).rejects.toMatchObject({ code: 'PRICE_NEGATIVE' });
      await expect(svc.tasks.accept(a, task.id)).rejects.toMatchObject({ code: 'TASK_STATE_INVALID' });

      info = await svc.tasks.abandon(b, task.id);
      expect(info).toMatchObject({ state: 'linked', price: 500, costA: [], costB: [] });
      expect(info.adjustments.every((x) => x.abandoned)).toBe(true);

      await svc.tasks.offer(a, task.id, 100);
      info = await svc.tasks.accept(b, task.id);
      expect(info).toMatchObject({ state: 'agreed', price: 600, costA: [100], costB: [] });
      expect(info.adjustments).toHaveLength(3);
    } finally {
      await t.close();
    }
  });

  it('lets exactly one of two parallel payments through and holds the money once', async () => {
    const t = await openTestDb();
    try {
      const svc = tasksOn(t.db);
      const a = await insertUser(t.db);
      const b = await insertUser(t.db);
      await svc.payments.credit({ userId: a, amount: 10_000, idempotencyKey: 'topup-1', reference: 'test' });
      const task = await svc.tasks.publish(a, TaskInput.parse(aTask({ linked: b })));
      await svc.tasks.accept(b, task.id);
      const results = await Promise.allSettled([svc.tasks.pay(a, task.id), svc.tasks.pay(a, task.id)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: 'TASK_ALREADY_PAID' });
      expect(await svc.payments.available(a)).toBe(9_500);
    } finally {
      await t.close();
    }
  });
});
