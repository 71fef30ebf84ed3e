import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Ledger } from '../ledger/ledger.js';
import { LedgerPayments, type PaymentProvider } from '../ledger/payment-provider.js';
import { AgentService } from './agent-service.js';
import { NearbyIndex } from './nearby-index.js';
import { type HandoverRights, TaskHandover } from './task-handover.js';
import { TaskRepository } from './task-repository.js';
import { type Notify, TaskService } from './task-service.js';

/** Tasks, collectors' statuses and payments, shared by /v1 and the Dingo layer. Built without I/O. */
export interface Tasks {
  tasks: TaskService;
  agents: AgentService;
  payments: PaymentProvider;
  /** The built-in ledger behind `payments`, for audits. */
  ledger: Ledger;
}

/** `rights`: the authorization service a task's locker hand-over goes through (absent in domain tests). */
export function createTasks(db: Db, notify: Notify, logger: Logger, rights?: HandoverRights): Tasks {
  const index = new NearbyIndex(db);
  const payments = new LedgerPayments(db);
  const handover = rights ? new TaskHandover(rights, logger) : undefined;
  return {
    tasks: new TaskService(db, new TaskRepository(db), index, payments, notify, logger, handover),
    agents: new AgentService(db, index),
    payments,
    ledger: payments.ledger,
  };
}
