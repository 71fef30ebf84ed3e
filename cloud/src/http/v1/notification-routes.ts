import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { Session, SessionTokens } from '../../accounts/session-tokens.js';
import type { StoredNotification } from '../../notifications/notification-repository.js';
import type { NotificationService } from '../../notifications/notification-service.js';
import { bearerToken } from './bearer.js';
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
const AckMessage = z.object({ type: z.literal('ack'), ids: z.array(z.string().max(64)).max(500) });

/** Phones may send the Dingo TMP-TOKEN header instead of a bearer token on the socket. */
const socketToken = (req: FastifyRequest): string | undefined => {
  const tmp = req.headers['tmp-token'];
  return bearerToken(req) ?? (typeof tmp === 'string' ? tmp : undefined);
};

/**
 * Live notifications over WebSocket plus a REST fallback. Server frames:
 * `{type:"notification", notification}` and `{type:"acked", ids, count}`; client frame:
 * `{type:"ack", ids}`. Unacknowledged notifications are sent again on every (re)connect.
 */
export async function v1NotificationRoutes(app: FastifyInstance, deps: NotificationRouteDeps): Promise<void> {
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const r = app.withTypeProvider<ZodTypeProvider>();
  const sessionOf = new WeakMap<FastifyRequest, Session>();

  r.get(
    '/v1/notifications/ws',
    {
      websocket: true,
      schema: {
        tags: ['notifications'],
        summary: 'WebSocket of your notifications (Authorization: Bearer, or TMP-TOKEN)',
        security,
      },
      // Authenticate before the upgrade so a bad token gets a plain HTTP 401, never a socket.
      preValidation: async (req) => {
        sessionOf.set(req, await deps.sessions.authenticate(socketToken(req)));
      },
    },
    async (socket: WebSocket, req) => {
      const session = sessionOf.get(req) as Session;
      const sent = new Set<string>();
      const send = (frame: unknown) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
      };
      const sink = {
        send(n: StoredNotification) {
          if (sent.has(n.id)) return;
          sent.add(n.id);
          send({ type: 'notification', notification: n });
        },
      };
      let detach: (() => void) | undefined;
      const ping = setInterval(() => socket.ping(), 30_000);
      ping.unref();
      socket.on('close', () => {
        clearInterval(ping);
        detach?.();
      });
      socket.on('message', (raw) => {
        let parsed: ReturnType<typeof AckMessage.safeParse>;
        try {
          parsed = AckMessage.safeParse(JSON.parse(String(raw)));
        } catch {
          parsed = AckMessage.safeParse(undefined);
        }
        if (!parsed.success) {
          send({
            type: 'error',
            error: { code: 'VALIDATION_FAILED', message: 'expected {"type":"ack","ids":[...]}' },
          });
          return;
        }
        const { ids } = parsed.data;
        deps.notifications.ack(session.userId, ids).then(
          (count) => send({ type: 'acked', ids, count }),
          (err: unknown) => req.log.error({ err }, 'notification ack failed'),
        );
      });
      try {
        detach = await deps.notifications.attach(session.userId, sink);
        if (socket.readyState !== socket.OPEN) detach();
      } catch (err) {
        req.log.error({ err }, 'notification backlog failed');
        socket.close(1011, 'internal error');
      }
    },
  );

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
