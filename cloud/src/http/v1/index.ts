import type { FastifyInstance } from 'fastify';
import type { Accounts } from '../../accounts/accounts-module.js';
import type { NotificationService } from '../../notifications/notification-service.js';
import { v1AddressRoutes } from './address-routes.js';
import { v1MeRoutes } from './me-routes.js';
import { v1NotificationRoutes } from './notification-routes.js';
import { v1SessionRoutes } from './session-routes.js';
import { v1UserRoutes } from './user-routes.js';

export interface V1AccountDeps {
  accounts: Accounts;
  notifications: NotificationService;
}

/** The /v1 JSON API of accounts and notifications. */
export async function v1AccountRoutes(app: FastifyInstance, deps: V1AccountDeps): Promise<void> {
  await app.register(v1SessionRoutes, deps.accounts);
  await app.register(v1MeRoutes, deps.accounts);
  await app.register(v1UserRoutes, deps.accounts);
  await app.register(v1AddressRoutes, deps.accounts);
  await app.register(v1NotificationRoutes, {
    sessions: deps.accounts.sessions,
    notifications: deps.notifications,
  });
}
