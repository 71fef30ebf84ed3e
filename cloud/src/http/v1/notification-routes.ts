import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionTokens } from '../../accounts/session-tokens.js';
import type { NotificationService } from '../../notifications/notification-service.js';
import { SessionBoundConnections } from '../../notifications/session-bound-connections.js';
import { bearerToken } from './bearer.js';
import { BEARER_SUBPROTOCOL, v1NotificationSocketRoute } from './notification-socket-route.js';
import { authErrors, security } from './schemas.js';

export interface NotificationRouteDeps {
  sessions: SessionTokens;
  notifications: NotificationService;
}

const Notification = z.object({
  id: z.string(),
  kind: z.string(),
  payload: z.unknown(),
  createdAt: z.string(),
});

/** Notifications: the WebSocket (see notification-socket-route.ts) plus a REST fallback. */
export async function v1NotificationRoutes(app: FastifyInstance, deps: NotificationRouteDeps): Promise<void> {
  await app.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      // A browser that sent its token as a subprotocol must get one named back, never the token.
      handleProtocols: (offered: Set<string>) =>
        offered.has(BEARER_SUBPROTOCOL) ? BEARER_SUBPROTOCOL : false,
    },
  });
  const connections = new SessionBoundConnections();
  const stopListening = deps.sessions.onRevoked((revocation) => connections.revoked(revocation));
  app.addHook('onClose', async () => {
    stopListening();
  });
  await app.register(v1NotificationSocketRoute, { ...deps, connections });
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/v1/me/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Your unacknowledged notifications, oldest first (for clients without WebSocket)',
        security,
        response: { 200: z.object({ notifications: z.array(Notification) }), ...authErrors },
      },
    },
    async (req) => {
      const me = await deps.sessions.authenticate(bearerToken(req));
      return { notifications: await deps.notifications.pending(me.userId) };
    },
  );

  r.post(
    '/v1/me/notifications/ack',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Acknowledge notifications so they are not delivered again',
        security,
        body: z.object({ ids: z.array(z.string().max(64)).min(1).max(500) }).strict(),
        response: { 200: z.object({ count: z.number().int() }), ...authErrors },
      },
    },
    async (req) => {
      const me = await deps.sessions.authenticate(bearerToken(req));
      return { count: await deps.notifications.ack(me.userId, req.body.ids) };
    },
  );
}
