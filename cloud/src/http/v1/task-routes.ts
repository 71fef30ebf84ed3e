import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionTokens } from '../../accounts/session-tokens.js';
import { TaskInput } from '../../tasks/task-fields.js';
import { TaskId } from '../../tasks/task-ids.js';
import type { Tasks } from '../../tasks/tasks-module.js';
import { ErrorResponse } from '../schemas.js';
import { userAuth } from './bearer.js';
import { authErrors, security } from './schemas.js';
import { NearbyQueryString, NearbyTasks, Task } from './task-schemas.js';

export interface V1TaskDeps {
  sessions: SessionTokens;
  tasks: Tasks;
}

export const taskParams = z.object({ taskId: TaskId });
/** The refusals of a move on one task, shared by every route that makes one. */
export const moveErrors = {
  402: ErrorResponse.describe('INSUFFICIENT_FUNDS'),
  403: ErrorResponse.describe('NOT_A_PARTY, FORBIDDEN'),
  404: ErrorResponse.describe('TASK_NOT_FOUND, USER_NOT_FOUND, CABINET_NOT_FOUND'),
  409: ErrorResponse.describe('TASK_STATE_INVALID, TASK_ALREADY_PAID, PRICE_NEGATIVE, CONFLICT'),
  ...authErrors,
};

/** Publish, read, find, change and delete tasks (Dingo §2.1-2.3, 2.5 as JSON). */
export async function v1TaskRoutes(app: FastifyInstance, deps: V1TaskDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  const { tasks } = deps.tasks;
  const tags = ['tasks'];

  r.post(
    '/v1/tasks',
    {
      schema: {
        tags,
        summary: 'Publish a task: someone near ew/ns within r metres collects a parcel for cost fen',
        security,
        body: TaskInput,
        response: { 201: Task, ...moveErrors },
      },
    },
    async (req, reply) => {
      const me = await auth(req);
      return reply.status(201).send(await tasks.publish(me.userId, req.body));
    },
  );

  r.get(
    '/v1/tasks',
    {
      schema: {
        tags,
        summary: 'Open tasks near a point: within r of it and within their own radius, nearest first',
        security,
        querystring: NearbyQueryString,
        response: { 200: NearbyTasks, ...authErrors },
      },
    },
    async (req) => {
      await auth(req);
      const { offset = 0, limit = 50, ...at } = req.query;
      const page = await tasks.nearby({ ...at, offset, limit });
      return { total: page.total, tasks: page.tasks };
    },
  );

  r.get(
    '/v1/me/tasks',
    {
      schema: {
        tags,
        summary: 'The tasks you published or collect, newest first',
        security,
        response: { 200: z.object({ tasks: z.array(Task) }), ...authErrors },
      },
    },
    async (req) => ({ tasks: await tasks.mine((await auth(req)).userId) }),
  );

  r.get(
    '/v1/tasks/:taskId',
    {
      schema: {
        tags,
        summary: 'A task: anyone may read an open one, only its parties once it has a collector',
        security,
        params: taskParams,
        response: { 200: Task, 403: moveErrors[403], 404: moveErrors[404], ...authErrors },
      },
    },
    async (req) => tasks.info((await auth(req)).userId, req.params.taskId),
  );

  r.put(
    '/v1/tasks/:taskId',
    {
      schema: {
        tags,
        summary: 'Change your task while it is open or linked (Dingo ct=FIX); linked names the collector',
        security,
        params: taskParams,
        body: TaskInput,
        response: { 200: Task, ...moveErrors },
      },
    },
    async (req) => tasks.fix((await auth(req)).userId, req.params.taskId, req.body),
  );

  r.delete(
    '/v1/tasks/:taskId',
    {
      schema: {
        tags,
        summary:
          'Dingo ct=DEL: the publisher deletes before payment; the collector steps back (after payment: cancels, refunding)',
        security,
        params: taskParams,
        response: { 200: Task, ...moveErrors },
      },
    },
    async (req) => tasks.remove((await auth(req)).userId, req.params.taskId),
  );
}
