import { CommandRequest, type CommandResponse, decodePayload } from '@locker/protocol';
import type { AuditLog } from '../operators/audit-log.js';
import type { CommandLog } from './command-log.js';

/**
 * Commands operators publish straight to cabinets over MQTT (the cloud subscribes to every
 * `request/+`): each goes into the command log and the audit, and the answer of the cabinet it went
 * to settles both.
 */
export class OperatorCommands {
  constructor(
    private readonly commands: CommandLog,
    private readonly audit: AuditLog | undefined,
  ) {}

  /**
   * The actor is the request's `requestedBy`, which the embedded broker overwrites with the
   * authenticated account name (ADR 0010); on an external broker it is what the client claims.
   */
  async record(cabinetId: string, op: string, payload: Buffer): Promise<void> {
    const req = decodePayload(CommandRequest, payload);
    // The cloud logs its own commands before it publishes them: those are already known.
    if (await this.commands.has(req.transaction)) return;
    const params = (typeof req.params === 'object' && req.params !== null ? req.params : {}) as Record<
      string,
      unknown
    >;
    const actor = req.requestedBy ?? 'unknown';
    await this.commands.sent(req.transaction, cabinetId, op, req.params ?? null, actor);
    await this.audit?.record({
      actor,
      channel: 'mqtt',
      action: `command.${op}`,
      cabinetId,
      boxNo: typeof params.boxNo === 'string' ? params.boxNo : null,
      reason: typeof params.reason === 'string' ? params.reason : null,
      result: 'sent',
      transaction: req.transaction,
      detail: params,
    });
  }

  /** A response nobody in the cloud waits for: it may settle an operator's MQTT command. */
  async settle(cabinetId: string, op: string, res: CommandResponse): Promise<void> {
    const row = await this.commands.find(res.transaction);
    // Only the cabinet the command went to, on its op's topic, can settle it (defect 8).
    if (!row || row.cabinetId !== cabinetId || row.op !== op || row.status !== 'sent') return;
    if (res.status === 'ok') {
      await this.commands.finished(res.transaction, 'ok', res.data);
      await this.audit?.finishCommand(res.transaction, 'ok', null);
    } else {
      await this.commands.finished(res.transaction, 'error', res.error);
      await this.audit?.finishCommand(res.transaction, 'error', res.error.code);
    }
  }
}
