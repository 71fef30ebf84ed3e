import { z } from 'zod';
import { BoxSize, BoxUsage, DoorState, LockState, Occupancy } from './box.js';
import { BoxNo, CabinetId, EventId, IsoTime, TransactionId } from './ids.js';
import { SealedCode } from './sealed-code.js';

/**
 * Events flow edge -> cloud on `lockers/{cabinetId}/events` from the cabinet's outbox. Each has a
 * unique id and a per-cabinet `seq` that only grows; the cloud applies them idempotently and
 * acknowledges on `events/ack`. `data` is typed per `type`.
 */
export const eventData = {
  'box.state_changed': z.object({
    boxNo: BoxNo,
    door: DoorState,
    lock: LockState,
    occupancy: Occupancy,
    usage: BoxUsage,
    cause: z.enum(['command', 'sensor', 'flow', 'reconcile', 'operator']),
  }),
  'box.unlocked': z.object({
    boxNo: BoxNo,
    /** The sensor saw the door open (or the lock report unlocked) after the unlock. */
    confirmed: z.boolean(),
    transaction: TransactionId.optional(),
    purpose: z.enum(['command', 'pickup', 'deposit', 'grant', 'retry', 'maintenance', 'recollect']),
  }),
  'parcel.deposited': z.object({
    boxNo: BoxNo,
    parcelId: z.string().min(1).max(64),
    size: BoxSize.optional(),
    depositor: z.string().max(64).optional(),
    grantId: z.string().max(64).optional(),
    expiresAt: IsoTime.optional(),
    /** The waybill number the courier typed at the kiosk: links the deposit to an announced parcel. */
    waybill: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/)
      .optional(),
    /** The recipient's phone the courier typed, when the parcel was not announced. */
    recipientTel: z
      .string()
      .regex(/^\+?[0-9]{5,20}$/)
      .optional(),
    /** The pickup code and QR token sealed to the cloud's public key (ADR 0013); never the code itself. */
    sealedCode: SealedCode.optional(),
  }),
  'parcel.picked_up': z.object({
    boxNo: BoxNo,
    parcelId: z.string().min(1).max(64),
    /** How the parcel was taken out: a pickup code/token, or a pickup grant. */
    via: z.enum(['code', 'token', 'grant']).optional(),
    grantId: z.string().max(64).optional(),
  }),
  'parcel.expired': z.object({ boxNo: BoxNo, parcelId: z.string().min(1).max(64) }),
  /** A courier took an expired parcel back out of the cabinet; its pickup code no longer works. */
  'parcel.recollected': z.object({
    boxNo: BoxNo,
    parcelId: z.string().min(1).max(64),
    /** The courier who took it (the depositor, or a courier of the same company). */
    courierId: z.string().min(1).max(64),
  }),
  'alarm.raised': z.object({
    alarmId: z.string().min(1).max(64),
    kind: z.enum([
      'door_left_open',
      'forced_open',
      'open_not_detected',
      'board_unreachable',
      'code_lockout',
      'box_reported',
      'sensor_fault',
      'bus_down',
      'access_key_missing',
    ]),
    boxNo: BoxNo.optional(),
    board: z.number().int().min(0).max(255).optional(),
    message: z.string().max(500),
  }),
  'alarm.cleared': z.object({ alarmId: z.string().min(1).max(64) }),
  /** A deposit or pickup right (grant) was used at the cabinet; the patent's tracked use. */
  'grant.used': z.object({
    grantId: z.string().min(1).max(64),
    boxNo: BoxNo,
    userNo: z.string().min(1).max(32),
    kind: z.enum(['deposit', 'pickup']),
  }),
  /** The cabinet applied a desired-state document from the cloud. */
  'desired.applied': z.object({ version: z.number().int().positive() }),
} as const;

export type EventType = keyof typeof eventData;
export const EventType = z.enum(Object.keys(eventData) as [EventType, ...EventType[]]);
export type EventData<T extends EventType> = z.infer<(typeof eventData)[T]>;

const envelopeBase = {
  id: EventId,
  seq: z.number().int().positive(),
  cabinetId: CabinetId,
  at: IsoTime,
};

function variant<T extends EventType>(type: T) {
  return z.object({ ...envelopeBase, type: z.literal(type), data: eventData[type] });
}

export const CabinetEvent = z.discriminatedUnion('type', [
  variant('box.state_changed'),
  variant('box.unlocked'),
  variant('parcel.deposited'),
  variant('parcel.picked_up'),
  variant('parcel.expired'),
  variant('parcel.recollected'),
  variant('alarm.raised'),
  variant('alarm.cleared'),
  variant('grant.used'),
  variant('desired.applied'),
]);
export type CabinetEvent = z.infer<typeof CabinetEvent>;

/** One event per message on `events`; the cloud acks by id on `events/ack`. */
export const EventAck = z.object({
  ids: z.array(EventId).max(500),
  /** Highest seq the cloud has applied without gaps, for the cabinet's diagnostics. */
  appliedSeq: z.number().int().nonnegative().optional(),
});
export type EventAck = z.infer<typeof EventAck>;
