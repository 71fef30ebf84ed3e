import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { userAuth } from './bearer.js';
import { security } from './schemas.js';
import { moveErrors, taskParams, type V1TaskDeps } from './task-routes.js';
import { OfferBody, Task } from './task-schemas.js';

/** Linking, bargaining, paying and confirming (Dingo §2.4, 2.6 as JSON). */
export async function v1TaskMoveRoutes(app: FastifyInstance, deps: V1TaskDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  const { tasks } = deps.tasks;
  const tags = ['tasks'];
  const move = (summary: string) => ({
    tags,
    summary,
    security,
    params: taskParams,
    response: { 200: Task, ...moveErrors },
  });

  r.post('/v1/tasks/:taskId/claim', { schema: move('Become the collector of an open task') }, async (req) =>
    tasks.claim((await auth(req)).userId, req.params.taskId),
  );

  r.post(
    '/v1/tasks/:taskId/offers',
    {
      schema: {
        ...move('Bargain (Dingo c=True): add a signed delta in fen to the price; recorded with who and when'),
        body: OfferBody,
      },
    },
    async (req) => tasks.offer((await auth(req)).userId, req.params.taskId, req.body.delta),
  );

  r.post(
    '/v1/tasks/:taskId/acceptance',
    { schema: move('Take the price as it stands (the party that did not make the last offer)') },
    async (req) => tasks.accept((await auth(req)).userId, req.params.taskId),
  );

  r.post(
    '/v1/tasks/:taskId/abandonment',
    { schema: move('Abandon the negotiation (Dingo c=False): back to linked at the published price') },
    async (req) => tasks.abandon((await auth(req)).userId, req.params.taskId),
  );

  r.post(
    '/v1/tasks/:taskId/payment',
    { schema: move('The publisher pays the agreed price into a hold; paying twice is TASK_ALREADY_PAID') },
    async (req) => tasks.pay((await auth(req)).userId, req.params.taskId),
  );

  r.post(
    '/v1/tasks/:taskId/confirmation',
    { schema: move('Confirm the hand-over; when both parties have, the hold goes to the collector') },
    async (req) => tasks.confirm((await auth(req)).userId, req.params.taskId),
  );
}
