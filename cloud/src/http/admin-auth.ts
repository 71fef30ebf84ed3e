import { LockerError } from '@locker/protocol';
import type { FastifyRequest } from 'fastify';
import { safeEqual } from '../security/secret-hash.js';

/** A preHandler that admits only the operator API's bearer token. */
export function requireAdmin(adminToken: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match) throw new LockerError('UNAUTHORIZED', 'missing bearer token');
    if (!safeEqual(match[1] as string, adminToken))
      throw new LockerError('UNAUTHORIZED', 'invalid admin token');
  };
}
