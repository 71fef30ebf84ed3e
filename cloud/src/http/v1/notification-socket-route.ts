import { isLockerError } from '@locker/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { Session, SessionTokens } from '../../accounts/session-tokens.js';
import type { StoredNotification } from '../../notifications/notification-repository.js';
import type { NotificationService } from '../../notifications/notification-service.js';
import type {
  SessionBoundConnections,
  SessionEndReason,
} from '../../notifications/session-bound-connections.js';
import { bearerToken } from './bearer.js';
import { security } from './schemas.js';

export interface NotificationSocketDeps {
  sessions: SessionTokens;
  notifications: NotificationService;
  connections: SessionBoundConnections;
}

/**
 * The close code of a socket whose token stopped holding: 4000-4999 is the application range, and
 * 4401 mirrors HTTP 401; the reason is the error code a request with that token would get.
 */
export const SESSION_ENDED_CLOSE_CODE = 4401;

/** Ping often enough that idle proxies keep the socket, and re-check the token at the same pace. */
const PING_INTERVAL_MS = 30_000;

const AckMessage = z.object({ type: z.literal('ack'), ids: z.array(z.string().max(64)).max(500) });
const AuthMessage = z.object({ type: z.literal('auth'), token: z.string().min(1).max(200) }).strict();

/** The subprotocol a browser names beside its token: `new WebSocket(url, ['locker.bearer', token])`. */
export const BEARER_SUBPROTOCOL = 'locker.bearer';

/** How long a socket that opened without a token has to send `{"type":"auth","token"}`. */
const AUTH_WAIT_MS = 10_000;

/**
 * The token of an upgrade: `Authorization: Bearer`, the Dingo TMP-TOKEN header, or (browsers cannot
 * set headers) `Sec-WebSocket-Protocol: locker.bearer, <token>`. Never the URL, which gets logged.
 */
export const socketToken = (req: FastifyRequest): string | undefined => {
  const tmp = req.headers['tmp-token'];
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const viaProtocol = offered.includes(BEARER_SUBPROTOCOL)
    ? offered.find((p) => p !== BEARER_SUBPROTOCOL)
    : undefined;
  return bearerToken(req) ?? (typeof tmp === 'string' ? tmp : undefined) ?? viaProtocol;
};

const sessionEnd = (err: unknown): SessionEndReason | undefined =>
  isLockerError(err) && (err.code === 'TOKEN_REVOKED' || err.code === 'TOKEN_EXPIRED') ? err.code : undefined;

/**
 * Live notifications over WebSocket. Server frames: `{type:"notification", notification}`,
 * `{type:"acked", ids, count}` and, after a first-frame login, `{type:"authenticated", userId}`;
 * client frames: `{type:"auth", token}` (first, only when the upgrade carried no token) and
 * `{type:"ack", ids}`. Unacknowledged notifications are
 * sent again on every (re)connect. The socket lives only as long as its token: revocation or expiry
 * closes it with 4401 and the reason TOKEN_REVOKED or TOKEN_EXPIRED.
 */
export async function v1NotificationSocketRoute(
  app: FastifyInstance,
  deps: NotificationSocketDeps,
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const sessionOf = new WeakMap<FastifyRequest, Session>();

  r.get(
    '/v1/notifications/ws',
    {
      websocket: true,
      schema: {
        tags: ['notifications'],
        summary:
          'WebSocket of your notifications (Authorization: Bearer, TMP-TOKEN, Sec-WebSocket-Protocol "locker.bearer, <token>", or a first {"type":"auth","token"} frame)',
        security,
      },
      // A token that was sent is checked before the upgrade, so a bad one gets a plain HTTP 401;
      // a socket without one opens and must authenticate with its first frame.
      preValidation: async (req) => {
        const token = socketToken(req);
        if (token !== undefined) sessionOf.set(req, await deps.sessions.authenticate(token));
      },
    },
    async (socket: WebSocket, req) => {
      const send = (frame: unknown) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
      };
      const session = sessionOf.get(req);
      if (session) return serve(socket, req, session, send);
      const timer = setTimeout(() => socket.close(SESSION_ENDED_CLOSE_CODE, 'UNAUTHORIZED'), AUTH_WAIT_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      socket.once('message', (raw) => {
        clearTimeout(timer);
        let parsed: ReturnType<typeof AuthMessage.safeParse>;
        try {
          parsed = AuthMessage.safeParse(JSON.parse(String(raw)));
        } catch {
          parsed = AuthMessage.safeParse(undefined);
        }
        if (!parsed.success) return socket.close(SESSION_ENDED_CLOSE_CODE, 'UNAUTHORIZED');
        deps.sessions.authenticate(parsed.data.token).then(
          (s) => {
            send({ type: 'authenticated', userId: s.userId });
            return serve(socket, req, s, send);
          },
          (err: unknown) => {
            const code = isLockerError(err) ? err.code : 'UNAUTHORIZED';
            socket.close(SESSION_ENDED_CLOSE_CODE, code);
          },
        );
      });
    },
  );

  async function serve(
    socket: WebSocket,
    req: FastifyRequest,
    session: Session,
    send: (frame: unknown) => void,
  ): Promise<void> {
    const sent = new Set<string>();
    // Once closing, readyState is no longer OPEN, so an ended session receives nothing more.
    const endSession = (reason: SessionEndReason) => socket.close(SESSION_ENDED_CLOSE_CODE, reason);
    const unbind = deps.connections.bind(session, { end: endSession });
    let detach: (() => void) | undefined;
    // Revocations made by another cloud process never reach `connections`; asking the database
    // on every ping bounds how long such a socket outlives its token.
    const ping = setInterval(() => {
      socket.ping();
      deps.sessions.current(session.tokenHash).catch((err: unknown) => {
        const reason = sessionEnd(err);
        if (reason) endSession(reason);
        else req.log.warn({ err }, 'notification socket session re-check failed');
      });
    }, PING_INTERVAL_MS);
    ping.unref();
    socket.on('close', () => {
      clearInterval(ping);
      unbind();
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
      // A revocation between the upgrade and `bind` above was announced to nobody: look again.
      await deps.sessions.current(session.tokenHash);
      detach = await deps.notifications.attach(session.userId, {
        send(n: StoredNotification) {
          if (sent.has(n.id)) return;
          sent.add(n.id);
          send({ type: 'notification', notification: n });
        },
      });
      if (socket.readyState !== socket.OPEN) detach();
    } catch (err) {
      const reason = sessionEnd(err);
      if (reason) return endSession(reason);
      req.log.error({ err }, 'notification backlog failed');
      socket.close(1011, 'internal error');
    }
  }
}
