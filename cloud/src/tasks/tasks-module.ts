import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Ledger } from '../ledger/ledger.js';
import { LedgerPayments, type PaymentProvider } from '../ledger/payment-provider.js';
import { AgentService } from './agent-service.js';
import { NearbyIndex } from './nearby-index.js';
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

export function createTasks(db: Db, notify: Notify, logger: Logger): Tasks {
  const index = new NearbyIndex(db);
  const payments = new LedgerPayments(db);
  return {
    tasks: new TaskService(db, new TaskRepository(db), index, payments, notify, logger),
    agents: new AgentService(db, index),
    payments,
    ledger: payments.ledger,
  };
}
