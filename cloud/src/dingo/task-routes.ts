import { parseOrThrow } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { SessionTokens } from '../accounts/session-tokens.js';
import { sizeText, TaskInput } from '../tasks/task-fields.js';
import type { TaskView } from '../tasks/task-view.js';
import type { Tasks } from '../tasks/tasks-module.js';
import { DingoEnvelope } from './envelope.js';
import { dingoFields } from './form.js';
import { tmpTokenAuth } from './session.js';
import { BargainTaskForm, ChangeTaskForm, NearbyForm, TidForm, UploadTaskForm } from './task-forms.js';

const schema = (summary: string) => ({ tags: ['dingo'], summary });

export interface DingoTaskDeps {
  sessions: SessionTokens;
  tasks: Tasks;
}

/** The most ids one /get-task answers; the 2016 document has no paging. */
const GET_TASK_LIMIT = 200;

/** §2.5 task info under the document's names, plus `state` and the current `price`. */
export function dingoTaskInfo(t: TaskView) {
  return {
    tid: t.id,
    ew: t.ew,
    ns: t.ns,
    r: t.r,
    wei: t.wei,
    size: sizeText(t.size),
    note: t.note ?? '',
    cost: t.cost,
    costA: t.costA,
    costB: t.costB,
    intr: t.intr ?? '',
    linkedA: t.publisherId,
    linkedB: t.collectorId ?? '',
    state: t.state,
    price: t.price,
    handover: t.handover,
  };
}

/** The form's task fields in domain names, checked by the same schema as /v1. */
function taskInputOf(f: {
  ew: number;
  ns: number;
  r: number;
  wei: number;
  size: TaskInput['size'];
  note?: string | undefined;
  cost: number;
  intr?: string | undefined;
  linked?: string | undefined;
  cabinet?: string | undefined;
  box?: string | undefined;
  handover?: 'pickup' | 'deposit' | undefined;
}): TaskInput {
  return parseOrThrow(
    TaskInput,
    {
      ew: f.ew,
      ns: f.ns,
      r: f.r,
      wei: f.wei,
      size: f.size,
      note: f.note,
      cost: f.cost,
      intr: f.intr,
      linked: f.linked,
      cabinet: f.cabinet,
      box: f.box,
      handover: f.handover,
    },
    'VALIDATION_FAILED',
    'form',
  );
}

/**
 * Dingo §2.1-2.6. Authentication is the TMP-TOKEN; "账户关联度" (only the two parties) is the task
 * service's NOT_A_PARTY. Linking a collector is the publisher's `linked` field (on publish or FIX);
 * in bargaining `c=True` with `d=0` takes the price as it stands (ADR 0012).
 */
export async function dingoTaskRoutes(app: FastifyInstance, deps: DingoTaskDeps): Promise<void> {
  const auth = tmpTokenAuth(deps.sessions);
  const { tasks } = deps.tasks;

  app.post(
    '/upload-task',
    { schema: schema('§2.1 publish a task: ew, ns, r, wei, size (x,y,z), note, cost, intr, linked') },
    async (req, reply) => {
      const me = await auth(req);
      const { data } = await dingoFields(req, UploadTaskForm);
      const task = await tasks.publish(me.userId, taskInputOf(data));
      return DingoEnvelope.success(reply, task.id);
    },
  );

  app.post(
    '/change-task',
    { schema: schema('§2.2 ct=FIX changes (every field again), ct=DEL deletes; parties only') },
    async (req, reply) => {
      const me = await auth(req);
      const { data } = await dingoFields(req, ChangeTaskForm);
      if (data.ct === 'DEL') await tasks.remove(me.userId, data.tid);
      else await tasks.fix(me.userId, data.tid, taskInputOf(data));
      return DingoEnvelope.success(reply, null);
    },
  );

  app.post(
    '/get-task',
    { schema: schema('§2.3 open tasks near ew, ns within r: { count, data: [task ids] }, nearest first') },
    async (req, reply) => {
      await auth(req);
      const { data } = await dingoFields(req, NearbyForm);
      const page = await tasks.nearby({ ...data, offset: 0, limit: GET_TASK_LIMIT });
      return DingoEnvelope.success(reply, { count: page.tasks.length, data: page.tasks.map((t) => t.id) });
    },
  );

  app.post(
    '/bargain-task',
    { schema: schema('§2.4 bargain: c=True adds d fen (d=0 accepts), c=False abandons; parties only') },
    async (req, reply) => {
      const me = await auth(req);
      const { data } = await dingoFields(req, BargainTaskForm);
      if (data.c === 'False') await tasks.abandon(me.userId, data.tid);
      else if (data.d === 0) await tasks.accept(me.userId, data.tid);
      else await tasks.offer(me.userId, data.tid, data.d);
      return DingoEnvelope.success(reply, null);
    },
  );

  app.post(
    '/info-task',
    { schema: schema('§2.5 task info with costA/costB and linkedA/linkedB (JSON)') },
    async (req, reply) => {
      const me = await auth(req);
      const { data } = await dingoFields(req, TidForm);
      return DingoEnvelope.success(reply, dingoTaskInfo(await tasks.info(me.userId, data.tid)));
    },
  );

  app.post(
    '/pay-task',
    { schema: schema('§2.6 the publisher pays an agreed task; then both parties confirm') },
    async (req, reply) => {
      const me = await auth(req);
      const { data } = await dingoFields(req, TidForm);
      await tasks.payOrConfirm(me.userId, data.tid);
      return DingoEnvelope.success(reply, null);
    },
  );
}
