import type { FastifyRequest } from 'fastify';
import type { ClientContext } from '../accounts/account-service.js';
import type { Session, SessionTokens } from '../accounts/session-tokens.js';

/** Authenticates a Dingo request by its `TMP-TOKEN` header. */
export function tmpTokenAuth(sessions: SessionTokens) {
  return (req: FastifyRequest): Promise<Session> => {
    const header = req.headers['tmp-token'];
    return sessions.authenticate(typeof header === 'string' && header !== '' ? header : undefined);
  };
}

export const clientOf = (req: FastifyRequest): ClientContext => ({ address: req.ip });
