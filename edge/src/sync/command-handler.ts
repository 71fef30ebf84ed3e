import {
  type CommandOp,
  CommandOp as CommandOpSchema,
  CommandRequest,
  type CommandResponse,
  commandParams,
  decodePayload,
  isLockerError,
  LockerError,
  parseOrThrow,
} from '@locker/protocol';
import type { Logger } from 'pino';
import type { AlarmKeeper } from '../alarms/alarm-keeper.js';
import type { BoxStateMachine } from '../boxes/box-state-machine.js';
import type { LockService } from '../lock/lock-service.js';
import { restingUsage } from '../parcels/parcel-store.js';
import type { CommandJournal } from '../store/command-journal.js';
import type { EdgeStore } from '../store/edge-store.js';
import type { Outbox } from '../store/outbox.js';

export interface CommandHandlerDeps {
  journal: CommandJournal;
  lock: LockService;
  boxes: BoxStateMachine;
  alarms: AlarmKeeper;
  outbox: Outbox;
  logger: Logger;
  startedAt: number;
  store: EdgeStore;
}

/**
 * Executes commands from `request/{op}` exactly once per transaction and produces the response.
 * Returns `undefined` when there is nothing to answer (a payload without a usable transaction id,
 * or a redelivery of a command still running).
 */
export class CommandHandler {
  constructor(private readonly deps: CommandHandlerDeps) {}

  async handle(op: string, payload: Uint8Array): Promise<CommandResponse | undefined> {
    const log = this.deps.logger;
    let request: CommandRequest;
    try {
      request = decodePayload(CommandRequest, payload);
    } catch (err) {
      log.warn({ op, reason: (err as Error).message }, 'command dropped: bad payload');
      return undefined;
    }
    const { transaction } = request;
    const fail = (e: LockerError): CommandResponse => ({
      transaction,
      status: 'error',
      error: { code: e.code, message: e.message },
    });

    const known = CommandOpSchema.safeParse(op);
    if (!known.success) return fail(new LockerError('UNKNOWN_COMMAND', `unknown command ${op}`));
    if (request.expiresAt && Date.parse(request.expiresAt) < Date.now()) {
      return fail(new LockerError('COMMAND_EXPIRED', `command expired at ${request.expiresAt}`));
    }
    if (!this.deps.journal.begin(transaction, op)) {
      log.info({ op, transaction }, 'command redelivered; answering from the journal');
      return this.deps.journal.answerOf(transaction);
    }
    let response: CommandResponse;
    try {
      const data = await this.execute(known.data, request.params, transaction);
      response = { transaction, status: 'ok', data };
    } catch (err) {
      if (!isLockerError(err)) log.error({ err, op }, 'command failed');
      response = fail(isLockerError(err) ? err : new LockerError('INTERNAL', 'command failed'));
    }
    this.deps.journal.finish(response);
    return response;
  }

  private async execute(op: CommandOp, raw: unknown, transaction: string): Promise<unknown> {
    const what = `${op} params`;
    switch (op) {
      case 'open_box': {
        const p = parseOrThrow(commandParams.open_box, raw, 'VALIDATION_FAILED', what);
        return this.deps.lock.open(p.boxNo, 'command', transaction);
      }
      case 'set_out_of_service': {
        const p = parseOrThrow(commandParams.set_out_of_service, raw, 'VALIDATION_FAILED', what);
        this.deps.boxes.get(p.boxNo);
        // Back in service, a box shows what it holds (a parcel, a reservation), not what a sensor guesses.
        const usage = p.outOfService ? 'out_of_service' : restingUsage(this.deps.store, p.boxNo);
        const next = this.deps.boxes.apply(p.boxNo, { usage }, 'operator');
        return { boxNo: next.boxNo, usage: next.usage };
      }
      case 'diagnostics':
        parseOrThrow(commandParams.diagnostics, raw, 'VALIDATION_FAILED', what);
        return {
          boxes: this.deps.boxes.list().length,
          outboxDepth: this.deps.outbox.depth(),
          uptimeSec: Math.round((Date.now() - this.deps.startedAt) / 1000),
          alarms: this.deps.alarms.active(),
        };
      case 'clear_alarm': {
        const p = parseOrThrow(commandParams.clear_alarm, raw, 'VALIDATION_FAILED', what);
        // A condition that still holds (a door still open) raises its alarm again at the next look.
        if (!this.deps.alarms.clearById(p.alarmId)) {
          throw new LockerError('ALARM_NOT_FOUND', `no active alarm ${p.alarmId}`);
        }
        return { alarmId: p.alarmId, cleared: true };
      }
    }
  }
}
