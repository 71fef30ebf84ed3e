import { BoxNo, CabinetId } from '@locker/protocol';
import { z } from 'zod';
import { UserId } from '../accounts/ids.js';
import {
  Delta,
  Fen,
  Handover,
  Latitude,
  Longitude,
  parseSizeText,
  RadiusMetres,
  Text,
  WeightKg,
} from '../tasks/task-fields.js';
import { AgentId, TaskId } from '../tasks/task-ids.js';

/**
 * Form fields of Dingo §2 as the 2016 clients send them: every value is text. A number is plain
 * decimal (no `1e3`, no empty string as 0), then checked by the same domain schema as /v1.
 */
const decimal = (what: string) =>
  z
    .string()
    .regex(/^[+-]?\d+(\.\d+)?$/, `${what}: a decimal number`)
    .transform(Number);
const integer = (what: string) =>
  z
    .string()
    .regex(/^[+-]?\d+$/, `${what}: a whole number`)
    .transform(Number);

const SizeText = z.string().transform((text, ctx) => {
  const size = parseSizeText(text);
  if (!size) {
    ctx.addIssue({ code: 'custom', message: 'size: (x,y,z) in cm, each greater than 0' });
    return z.NEVER;
  }
  return size;
});

const optionalText = Text.optional();
/** An empty optional field is the same as a missing one, as HTML forms send them. */
const optional = <T extends z.ZodType<unknown, string>>(schema: T) =>
  z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(schema.optional());

const taskFields = {
  ew: decimal('ew').pipe(Longitude),
  ns: decimal('ns').pipe(Latitude),
  r: decimal('r').pipe(RadiusMetres),
  wei: decimal('wei').pipe(WeightKg),
  size: SizeText,
  note: optionalText,
  cost: integer('cost').pipe(Fen),
  intr: optionalText,
  linked: optional(UserId),
  /** Not in the 2016 document: the locker hand-over of DESIGN §2.3, as on /v1. */
  cabinet: optional(CabinetId),
  box: optional(BoxNo),
  handover: optional(Handover),
};

/** §2.1 publish. */
export const UploadTaskForm = z.object(taskFields);

/** §2.2 change (ct=FIX, every field again) or delete (ct=DEL). */
export const ChangeTaskForm = z.discriminatedUnion('ct', [
  z.object({ ct: z.literal('DEL'), tid: TaskId }),
  z.object({ ct: z.literal('FIX'), tid: TaskId, ...taskFields }),
]);

/** §2.3 and §2.9: a point and a radius. */
export const NearbyForm = z.object({
  ew: decimal('ew').pipe(Longitude),
  ns: decimal('ns').pipe(Latitude),
  r: decimal('r').pipe(RadiusMetres),
});

/**
 * §2.4 bargain: `c` is exactly "True" (add `d` to the price) or "False" (abandon); nothing else.
 */
export const BargainTaskForm = z.discriminatedUnion('c', [
  z.object({ tid: TaskId, c: z.literal('True'), d: integer('d').pipe(Delta) }),
  z.object({ tid: TaskId, c: z.literal('False') }),
]);

/** §2.5 task info and §2.6 pay and confirm. */
export const TidForm = z.object({ tid: TaskId });

/** §2.7 add (no did) or change (did) a collector's status. */
export const AddAgentForm = z.object({
  did: optional(AgentId),
  dd: Text.min(1, 'dd: a description'),
  ew: decimal('ew').pipe(Longitude),
  ns: decimal('ns').pipe(Latitude),
  r: decimal('r').pipe(RadiusMetres),
});

/** §2.8 delete or finish; `opt` is case-sensitive. */
export const DelAgentForm = z.object({ did: AgentId, opt: z.enum(['DEL', 'FIN']) });
