import type { FastifyInstance } from 'fastify';
import type { Accounts } from '../../accounts/accounts-module.js';
import { v1AddressRoutes } from './address-routes.js';
import { v1MeRoutes } from './me-routes.js';
import { v1SessionRoutes } from './session-routes.js';
import { v1UserRoutes } from './user-routes.js';

export interface V1AccountDeps {
  accounts: Accounts;
}

/** The /v1 JSON API of accounts (notifications are their own plugin, see notification-routes.ts). */
export async function v1AccountRoutes(app: FastifyInstance, deps: V1AccountDeps): Promise<void> {
  await app.register(v1SessionRoutes, deps.accounts);
  await app.register(v1MeRoutes, deps.accounts);
  await app.register(v1UserRoutes, deps.accounts);
  await app.register(v1AddressRoutes, deps.accounts);
}
