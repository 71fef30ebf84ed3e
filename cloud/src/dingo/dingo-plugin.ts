import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Accounts } from '../accounts/accounts-module.js';
import { MAX_PHOTO_BYTES } from '../accounts/profile-photo.js';
import type { Tasks } from '../tasks/tasks-module.js';
import { dingoAccountRoutes } from './account-routes.js';
import { dingoAgentRoutes } from './agent-routes.js';
import { installDingoErrorHandling } from './envelope.js';
import { dingoProfileRoutes } from './profile-routes.js';
import { dingoTaskRoutes } from './task-routes.js';

export interface DingoOptions {
  accounts: Accounts;
  tasks: Tasks;
  prefix: string;
  failuresAsHttp200: boolean;
}

/**
 * The 2016 Dingo API as a thin layer over the same services as /v1: form and multipart parsing,
 * TMP-TOKEN, the timestamped login and the STATUS/CONTEXT-WHERE envelope live here, nothing else.
 * Register it with `{ prefix }`; its parsers and error handler stay inside this scope.
 */
export async function dingoPlugin(app: FastifyInstance, opts: DingoOptions): Promise<void> {
  installDingoErrorHandling(app, { failuresAsHttp200: opts.failuresAsHttp200, prefix: opts.prefix });
  await app.register(formbody);
  await app.register(multipart, {
    limits: { fileSize: MAX_PHOTO_BYTES, files: 2, fields: 30, fieldSize: 1024 * 1024 },
  });
  await app.register(dingoAccountRoutes, opts.accounts);
  await app.register(dingoProfileRoutes, opts.accounts);
  const taskDeps = { sessions: opts.accounts.sessions, tasks: opts.tasks };
  await app.register(dingoTaskRoutes, taskDeps);
  await app.register(dingoAgentRoutes, taskDeps);
}
