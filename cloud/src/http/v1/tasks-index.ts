import type { FastifyInstance } from 'fastify';
import type { Accounts } from '../../accounts/accounts-module.js';
import type { Tasks } from '../../tasks/tasks-module.js';
import { v1AgentRoutes } from './agent-routes.js';
import { v1TaskMoveRoutes } from './task-move-routes.js';
import { v1TaskRoutes } from './task-routes.js';
import { v1WalletRoutes } from './wallet-routes.js';

/** The /v1 JSON API of tasks, collectors' statuses and wallets, on the same services as Dingo §2. */
export async function v1TasksApi(
  app: FastifyInstance,
  deps: { accounts: Accounts; tasks: Tasks },
): Promise<void> {
  const own = { sessions: deps.accounts.sessions, tasks: deps.tasks };
  await app.register(v1TaskRoutes, own);
  await app.register(v1TaskMoveRoutes, own);
  await app.register(v1AgentRoutes, own);
  await app.register(v1WalletRoutes, own);
}
