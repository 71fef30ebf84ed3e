import { BoxNo, CabinetId } from '@locker/protocol';
import { z } from 'zod';
import { UserId } from '../../accounts/ids.js';
import {
  Delta,
  Fen,
  Latitude,
  Longitude,
  MAX_FEN,
  RadiusMetres,
  Size,
  Text,
} from '../../tasks/task-fields.js';
import { AgentId, TaskId } from '../../tasks/task-ids.js';

export const TaskState = z.enum([
  'open',
  'linked',
  'bargaining',
  'agreed',
  'paid',
  'done',
  'cancelled',
  'deleted',
]);

export const TaskAdjustment = z.object({
  party: z.enum(['A', 'B']).describe('A: the publisher, B: the collector'),
  userId: UserId,
  delta: z.number().int().describe('fen added to the price'),
  at: z.string(),
  round: z.number().int(),
  abandoned: z.boolean().describe('its negotiation was abandoned (c=False) or the collector left'),
});

export const Task = z.object({
  id: TaskId,
  state: TaskState,
  publisherId: UserId,
  collectorId: UserId.nullable(),
  ew: z.number(),
  ns: z.number(),
  r: z.number(),
  wei: z.number(),
  size: Size,
  note: z.string().nullable(),
  intr: z.string().nullable(),
  cost: z.number().int().describe('the published price, fen'),
  price: z.number().int().describe('the price now: cost plus this round of adjustments, fen'),
  costA: z.array(z.number().int()).describe("the publisher's adjustments this round"),
  costB: z.array(z.number().int()).describe("the collector's adjustments this round"),
  adjustments: z.array(TaskAdjustment).describe('every adjustment ever made, oldest first'),
  handover: z.object({ cabinetId: CabinetId, boxNo: BoxNo, kind: z.enum(['pickup', 'deposit']) }).nullable(),
  paidAt: z.string().nullable(),
  confirmedByPublisherAt: z.string().nullable(),
  confirmedByCollectorAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** A number in a query string: plain decimal text, then the domain's range. */
const decimalText = z
  .string()
  .regex(/^[+-]?\d+(\.\d+)?$/, 'a decimal number')
  .transform(Number);
const wholeText = z.string().regex(/^\d+$/, 'a whole number').transform(Number);

export const NearbyQueryString = z.object({
  ew: decimalText.pipe(Longitude),
  ns: decimalText.pipe(Latitude),
  r: decimalText.pipe(RadiusMetres),
  offset: wholeText.pipe(z.number().int().max(100_000)).optional(),
  limit: wholeText.pipe(z.number().int().min(1).max(200)).optional(),
});

export const NearbyTasks = z.object({
  total: z.number().int().describe('all matches; `tasks` is one page of them'),
  tasks: z.array(z.object({ id: TaskId, distanceM: z.number() })),
});

export const OfferBody = z
  .object({
    delta: Delta.refine((d) => d !== 0, 'a delta of 0 changes nothing: accept instead').describe(
      'signed fen added to the price, not 0; the price never goes below 0',
    ),
  })
  .strict();

export const AgentBody = z
  .object({ dd: Text.min(1).describe('description'), ew: Longitude, ns: Latitude, r: RadiusMetres })
  .strict();

export const Agent = z.object({
  id: AgentId,
  userId: UserId,
  dd: z.string(),
  ew: z.number(),
  ns: z.number(),
  r: z.number(),
  state: z.enum(['active', 'finished', 'deleted']),
  updatedAt: z.string(),
});

export const NearbyAgents = z.object({
  total: z.number().int(),
  agents: z.array(Agent.extend({ distanceM: z.number() })),
});

export const Wallet = z.object({ available: z.number().int().describe('fen') });

export const CreditBody = z
  .object({
    amount: Fen.min(1).max(MAX_FEN),
    idempotencyKey: z.string().min(8).max(200).describe('the same key again moves no money twice'),
    reference: z.string().min(1).max(200).describe('e.g. the counter receipt number'),
  })
  .strict();
