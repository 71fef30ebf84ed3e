import { LockerError } from '@locker/protocol';
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { OperatorAccounts, OperatorPrincipal } from '../operators/operator-accounts.js';
import { BOOTSTRAP_ACTOR, type OperatorRole, roleAllows } from '../operators/roles.js';
import { safeEqual } from '../security/secret-hash.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling the operator API, once `authenticateOperator` has run. */
    operator?: OperatorPrincipal;
  }
}

/** Marks the preHandlers made by `requireRole`, so the admin plugin can refuse a route without one. */
export const ROLE_GUARD = Symbol('requireRole');
export type RoleGuard = preHandlerAsyncHookHandler & { [ROLE_GUARD]: OperatorRole };

/**
 * Finds the caller of an operator route: an operator's own bearer token, or the config's
 * `adminToken`, which acts as the built-in admin `bootstrap` (ADR 0010: for the first steps,
 * such as creating the first named admin; everything it does is audited under that name).
 */
export function authenticateOperator(deps: { adminToken: string; operators: OperatorAccounts }) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match) throw new LockerError('UNAUTHORIZED', 'missing bearer token');
    const token = match[1] as string;
    if (safeEqual(token, deps.adminToken)) {
      request.operator = { username: BOOTSTRAP_ACTOR, role: 'admin' };
      return;
    }
    request.operator = await deps.operators.authenticate(token);
  };
}

/** A route's preHandler: the caller must hold at least `role`, else 403 FORBIDDEN. */
export function requireRole(role: OperatorRole): RoleGuard {
  const guard = async (request: FastifyRequest): Promise<void> => {
    const who = request.operator;
    if (!who) throw new LockerError('UNAUTHORIZED', 'missing bearer token');
    if (!roleAllows(who.role, role)) {
      throw new LockerError('FORBIDDEN', `${who.role} may not do this; it needs the ${role} role`);
    }
  };
  return Object.assign(guard, { [ROLE_GUARD]: role });
}
