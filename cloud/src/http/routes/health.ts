import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

export async function healthRoutes(app: FastifyInstance, deps: { ready: () => boolean }): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness and readiness',
        response: {
          200: z.object({ status: z.literal('ok'), time: z.string() }),
          503: z.object({ status: z.literal('starting') }),
        },
      },
    },
    async (_req, reply) =>
      deps.ready()
        ? { status: 'ok' as const, time: new Date().toISOString() }
        : reply.status(503).send({ status: 'starting' as const }),
  );
}
