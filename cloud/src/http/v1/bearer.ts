import type { FastifyRequest } from 'fastify';
import type { ClientContext } from '../../accounts/account-service.js';
import type { Session, SessionTokens } from '../../accounts/session-tokens.js';

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** Authenticates a /v1 request; throws UNAUTHORIZED, TOKEN_EXPIRED or TOKEN_REVOKED. */
export function userAuth(sessions: SessionTokens) {
  return (req: FastifyRequest): Promise<Session> => sessions.authenticate(bearerToken(req));
}

export const clientOf = (req: FastifyRequest): ClientContext => ({ address: req.ip });
