import { LockerError } from '@locker/protocol';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { CloudDatabase } from '../db/schema.js';
import type { PaymentProvider } from '../ledger/payment-provider.js';
import type { NearbyIndex } from './nearby-index.js';
import { MAX_FEN, type NearbyQuery, type TaskInput } from './task-fields.js';
import { newTaskId } from './task-ids.js';
import { checkWho, fieldsOf, type Patch, partyOf, restart, type Who } from './task-parties.js';
import type { TaskRepository, TaskRow } from './task-repository.js';
import { type Party, type TaskMove, TaskStateMachine } from './task-state.js';
import { type TaskView, taskView } from './task-view.js';

export type TaskEvent =
  | 'published'
  | 'changed'
  | 'deleted'
  | 'left'
  | 'claimed'
  | 'offered'
  | 'accepted'
  | 'abandoned'
  | 'paid'
  | 'confirmed'
  | 'done'
  | 'cancelled';

export type Notify = (userId: string, kind: string, payload: unknown) => Promise<unknown>;
type Trx = Kysely<CloudDatabase>;
interface Step {
  patch: Patch;
  event: TaskEvent;
}

export const TASK_NOTIFICATION = 'task.changed';

/**
 * Every move on a task, for /v1 and the Dingo layer alike. A move runs in one database
 * transaction: read, check party and state, write conditionally on the version, keep the nearby
 * index and the money in step; then both parties are notified.
 */
export class TaskService {
  constructor(
    private readonly db: Db,
    private readonly repo: TaskRepository,
    private readonly index: NearbyIndex,
    private readonly payments: PaymentProvider,
    private readonly notify: Notify,
    private readonly logger: Logger,
  ) {}

  async publish(actor: string, input: TaskInput): Promise<TaskView> {
    const now = new Date();
    const at = now.toISOString();
    const row = await this.db.transaction().execute(async (trx) => {
      await this.checkRefs(actor, input, trx);
      const t: TaskRow = {
        id: newTaskId(actor, now),
        publisher_id: actor,
        collector_id: input.linked ?? null,
        state: input.linked ? 'linked' : 'open',
        ...fieldsOf(input),
        price: input.cost,
        round: 0,
        last_offer_by: null,
        paid_at: null,
        confirmed_a_at: null,
        confirmed_b_at: null,
        version: 0,
        created_at: at,
        updated_at: at,
      };
      await this.repo.insert(t, trx);
      await this.syncIndex(t, trx);
      return t;
    });
    await this.tell(row, 'published', actor, []);
    return taskView(row, []);
  }

  /** ct=FIX: the publisher replaces the fields; an omitted `linked` keeps the current collector. */
  fix(actor: string, id: string, input: TaskInput): Promise<TaskView> {
    return this.move(actor, id, 'A', 'fix', async (t, _p, trx) => {
      await this.checkRefs(actor, input, trx);
      const collector = input.linked ?? t.collector_id;
      return {
        event: 'changed',
        patch: {
          ...fieldsOf(input),
          price: input.cost,
          collector_id: collector,
          state: collector ? 'linked' : 'open',
        },
      };
    });
  }

  /** ct=DEL: the publisher deletes; the collector steps back, or after payment cancels. */
  async remove(actor: string, id: string): Promise<TaskView> {
    const t = await this.load(id);
    if (t.collector_id === actor) return t.state === 'paid' ? this.cancel(actor, id) : this.leave(actor, id);
    return this.move(actor, id, 'A', 'delete', async () => ({
      event: 'deleted',
      patch: { state: 'deleted' },
    }));
  }

  leave(actor: string, id: string): Promise<TaskView> {
    return this.move(actor, id, 'B', 'leave', async (t) => ({
      event: 'left',
      patch: { state: 'open', collector_id: null, ...restart(t) },
    }));
  }

  claim(actor: string, id: string): Promise<TaskView> {
    return this.move(actor, id, 'outsider', 'claim', async () => ({
      event: 'claimed',
      patch: { state: 'linked', collector_id: actor },
    }));
  }

  /** c=True with d: adds d to the price (never below zero) and records who and when. */
  offer(actor: string, id: string, delta: number): Promise<TaskView> {
    return this.move(actor, id, 'party', 'offer', async (t, party, trx) => {
      const price = t.price + delta;
      if (price < 0) {
        throw new LockerError('PRICE_NEGATIVE', `the price would be ${price} fen`, { price: t.price, delta });
      }
      // Offers add up; the sum must still fit the price column of both databases.
      if (price > MAX_FEN) {
        throw new LockerError('VALIDATION_FAILED', `the price would be above ${MAX_FEN} fen`, {
          price: t.price,
          delta,
        });
      }
      const at = new Date().toISOString();
      await this.repo.addAdjustment({ task_id: t.id, round: t.round, party, user_id: actor, delta, at }, trx);
      return { event: 'offered', patch: { state: 'bargaining', price, last_offer_by: party } };
    });
  }

  /** The party that did not make the last offer takes the price as it stands. */
  accept(actor: string, id: string): Promise<TaskView> {
    return this.move(actor, id, 'party', 'accept', async (t, party) => {
      if (t.last_offer_by === party) {
        throw new LockerError('TASK_STATE_INVALID', 'the other party accepts your offer, not you');
      }
      return { event: 'accepted', patch: { state: 'agreed' } };
    });
  }

  /** c=False: back to linked at the published price; the round's adjustments stay recorded. */
  abandon(actor: string, id: string): Promise<TaskView> {
    return this.move(actor, id, 'party', 'abandon', async (t) => ({
      event: 'abandoned',
      patch: { state: 'linked', ...restart(t) },
    }));
  }

  pay(actor: string, id: string): Promise<TaskView> {
    return this.move(actor, id, 'A', 'pay', async (t, _p, trx) => {
      await this.payments.hold(
        {
          holdId: t.id,
          payer: t.publisher_id,
          amount: t.price,
          reference: `task:${t.id}`,
          idempotencyKey: `task:${t.id}:hold`,
        },
        trx,
      );
      return { event: 'paid', patch: { state: 'paid', paid_at: new Date().toISOString() } };
    });
  }

  /** Either party confirms the hand-over once; the second confirmation releases the money to B. */
  confirm(actor: string, id: string): Promise<TaskView> {
    return this.move(actor, id, 'party', 'confirm', async (t, party, trx) => {
      const mine = party === 'A' ? t.confirmed_a_at : t.confirmed_b_at;
      if (mine) throw new LockerError('TASK_STATE_INVALID', 'you have already confirmed this task');
      const at = new Date().toISOString();
      const patch: Patch = party === 'A' ? { confirmed_a_at: at } : { confirmed_b_at: at };
      const other = party === 'A' ? t.confirmed_b_at : t.confirmed_a_at;
      if (!other) return { event: 'confirmed', patch };
      await this.payments.release(
        { holdId: t.id, payee: t.collector_id ?? '', idempotencyKey: `task:${t.id}:release` },
        trx,
      );
      return { event: 'done', patch: { ...patch, state: 'done' } };
    });
  }

  /**
   * Dingo /pay-task, "payment and confirmation of both sides": the publisher pays an agreed task
   * and later confirms once the collector has; the collector confirms a paid one.
   */
  async payOrConfirm(actor: string, id: string): Promise<TaskView> {
    const t = await this.load(id);
    if (t.publisher_id !== actor) return this.confirm(actor, id);
    if (t.state === 'paid' && t.confirmed_b_at && !t.confirmed_a_at) return this.confirm(actor, id);
    return this.pay(actor, id);
  }

  cancel(actor: string, id: string): Promise<TaskView> {
    return this.move(actor, id, 'B', 'cancel', async (t, _p, trx) => {
      await this.payments.refund({ holdId: t.id, idempotencyKey: `task:${t.id}:refund` }, trx);
      return { event: 'cancelled', patch: { state: 'cancelled' } };
    });
  }

  /** A party sees everything; anyone may see an open task, which is advertised nearby anyway. */
  async info(actor: string, id: string): Promise<TaskView> {
    const t = await this.load(id);
    if (!partyOf(t, actor) && t.state !== 'open') {
      throw new LockerError('NOT_A_PARTY', 'only the publisher and the collector see this task');
    }
    return taskView(t, await this.repo.adjustments(id));
  }

  async nearby(q: NearbyQuery): Promise<{ total: number; tasks: Array<{ id: string; distanceM: number }> }> {
    const page = await this.index.search('task', {
      lat: q.ns,
      lon: q.ew,
      radiusM: q.r,
      offset: q.offset,
      limit: q.limit,
    });
    return { total: page.total, tasks: page.hits };
  }

  async mine(actor: string): Promise<TaskView[]> {
    const rows = await this.repo.ofUser(actor);
    return Promise.all(rows.map(async (t) => taskView(t, await this.repo.adjustments(t.id))));
  }

  private async load(id: string, exec?: Trx): Promise<TaskRow> {
    const t = await this.repo.find(id, exec);
    if (!t || t.state === 'deleted') throw new LockerError('TASK_NOT_FOUND', `no task ${id}`);
    return t;
  }

  private async move(
    actor: string,
    id: string,
    who: Who,
    move: TaskMove,
    step: (t: TaskRow, party: Party, trx: Trx) => Promise<Step>,
  ): Promise<TaskView> {
    const { before, after, event } = await this.db.transaction().execute(async (trx) => {
      const t = await this.load(id, trx);
      const party = partyOf(t, actor);
      checkWho(who, party, move);
      TaskStateMachine.assert(t.state, move);
      const { patch, event } = await step(t, party ?? 'B', trx);
      const updated_at = new Date().toISOString();
      if (!(await this.repo.update(t.id, t.version, { ...patch, updated_at }, trx))) {
        throw new LockerError('CONFLICT', 'the task changed meanwhile; read it again');
      }
      const after: TaskRow = { ...t, ...patch, updated_at, version: t.version + 1 };
      await this.syncIndex(after, trx);
      return { before: t, after, event };
    });
    const adjustments = await this.repo.adjustments(id);
    await this.tell(after, event, actor, before.collector_id ? [before.collector_id] : []);
    return taskView(after, adjustments);
  }

  private async syncIndex(t: TaskRow, trx: Trx): Promise<void> {
    if (TaskStateMachine.searchable(t.state)) {
      await this.index.put('task', t.id, { lat: t.ns, lon: t.ew, radiusM: t.radius_m }, trx);
    } else {
      await this.index.remove('task', t.id, trx);
    }
  }

  private async checkRefs(actor: string, input: TaskInput, trx: Trx): Promise<void> {
    if (input.linked !== undefined) {
      if (input.linked === actor)
        throw new LockerError('VALIDATION_FAILED', 'you cannot collect your own task');
      if (!(await this.repo.userExists(input.linked, trx))) {
        throw new LockerError('USER_NOT_FOUND', `no user ${input.linked}`);
      }
    }
    if (input.cabinet !== undefined && !(await this.repo.cabinetExists(input.cabinet, trx))) {
      throw new LockerError('CABINET_NOT_FOUND', `no cabinet ${input.cabinet}`);
    }
  }

  /** Both parties (and a collector who just left) hear of every change; a failure is logged. */
  private async tell(t: TaskRow, event: TaskEvent, by: string, also: string[]): Promise<void> {
    const to = new Set([t.publisher_id, ...(t.collector_id ? [t.collector_id] : []), ...also]);
    const payload = { taskId: t.id, event, state: t.state, price: t.price, by };
    for (const userId of to) {
      try {
        await this.notify(userId, TASK_NOTIFICATION, payload);
      } catch (err) {
        this.logger.error({ err, userId, taskId: t.id, event }, 'task notification failed');
      }
    }
  }
}
