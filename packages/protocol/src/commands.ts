import { z } from 'zod';
import { ErrorBody } from './errors.js';
import { BoxNo, IsoTime, TransactionId } from './ids.js';

/**
 * Commands travel on `request/{op}` and are answered on `response/{op}`. Each op's params are a
 * schema here, so the cloud, the edge and operator tools agree on them.
 */
export const commandParams = {
  open_box: z.object({ boxNo: BoxNo, reason: z.string().max(200).optional() }).strict(),
  set_out_of_service: z
    .object({ boxNo: BoxNo, outOfService: z.boolean(), reason: z.string().max(200).optional() })
    .strict(),
  diagnostics: z.object({}).strict(),
  /** An operator clears an active alarm (ids come in `alarm.raised` events and in `diagnostics`). */
  clear_alarm: z
    .object({ alarmId: z.string().min(1).max(64), reason: z.string().max(200).optional() })
    .strict(),
} as const;

export type CommandOp = keyof typeof commandParams;
export const CommandOp = z.enum(Object.keys(commandParams) as [CommandOp, ...CommandOp[]]);
export type CommandParams<Op extends CommandOp> = z.infer<(typeof commandParams)[Op]>;

export const CommandRequest = z.object({
  transaction: TransactionId,
  params: z.unknown(),
  /** A command past this time is refused: a late "open" must never open a door. */
  expiresAt: IsoTime.optional(),
  /** Who asked, for the audit trail (operator name, service). */
  requestedBy: z.string().max(100).optional(),
});
export type CommandRequest = z.infer<typeof CommandRequest>;

export const CommandResponse = z.discriminatedUnion('status', [
  z.object({ transaction: TransactionId, status: z.literal('ok'), data: z.unknown() }),
  z.object({ transaction: TransactionId, status: z.literal('error'), error: ErrorBody }),
]);
export type CommandResponse = z.infer<typeof CommandResponse>;

/** Result of `open_box`: whether the door sensor confirmed the unlock. */
export const OpenBoxResult = z.object({
  boxNo: BoxNo,
  confirmed: z.boolean(),
  door: z.enum(['open', 'closed', 'unknown']),
});
export type OpenBoxResult = z.infer<typeof OpenBoxResult>;
