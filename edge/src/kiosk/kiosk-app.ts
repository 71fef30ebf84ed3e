import { BoxNo, BoxSize, parseOrThrow, UserNo } from '@locker/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { AlarmKeeper } from '../alarms/alarm-keeper.js';
import type { AttemptLimiter } from '../credentials/attempt-limiter.js';
import type { BoxAllocator } from '../flows/box-allocator.js';
import type { FlowEngine } from '../flows/flow-engine.js';
import type { LockHealth } from '../lock/lock-health.js';
import type { Outbox } from '../store/outbox.js';
import { installErrorHandler } from './error-handler.js';
import type { KioskCabinet } from './kiosk-api-types.js';
import type { ScreenConfig } from './screen-config.js';
import { kioskSession } from './session-status.js';
import { installStaticPage } from './static-page.js';

export const KIOSK_BODY_LIMIT = 4096;

const Code = z.string().regex(/^[0-9]{6}$/, 'a 6-digit code');
const Token = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'a QR token');
// The wire names (code, token, pin) are the documented contract; they become unambiguous names (pickupCode,
// accessCode, ...) at this boundary, and the kiosk app logs no request body.
const PickupBody = z.union([z.object({ code: Code }).strict(), z.object({ token: Token }).strict()]);
const DepositBody = z
  .object({
    courierId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    pin: z.string().min(1).max(64),
    size: BoxSize,
    waybill: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/)
      .optional(),
    recipientTel: z
      .string()
      .regex(/^\+?[0-9]{5,20}$/)
      .optional(),
  })
  .strict();
const CourierBody = DepositBody.omit({ size: true, waybill: true, recipientTel: true });
const GrantBody = z
  .object({ userNo: UserNo, code: z.string().regex(/^[0-9A-Za-z]{4,32}$/), boxNo: BoxNo.optional() })
  .strict();
// A scanner types the token; its own shape is checked by the verifier, so only the length is bounded here.
const GrantTokenBody = z.object({ token: z.string().min(1).max(1000), boxNo: BoxNo.optional() }).strict();
const ProblemBody = z
  .object({ problem: z.enum(['did_not_open', 'too_small', 'box_occupied', 'box_broken']) })
  .strict();
const SessionParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) });

export interface KioskDeps {
  cabinetId: string;
  flows: FlowEngine;
  allocator: BoxAllocator;
  limiter: AttemptLimiter;
  alarms: AlarmKeeper;
  outbox: Outbox;
  metrics: Registry;
  link: () => 'connected' | 'disconnected' | 'disabled';
  /** The doors' side of /health (bus, sensor fail-safe, boards). */
  lockHealth: () => LockHealth;
  /** The whole cabinet is out of service (operators): the screen offers pickups only. */
  outOfService: () => boolean;
  logger: Logger;
  pageDir: string | undefined;
  /** Language, time zone, hotline, layout: what the screen shows from the config. */
  screen: ScreenConfig;
  /** No box can be used at all (every one out of service): the screen shows maintenance. */
  maintenance: () => boolean;
}

/** Builds the kiosk HTTP app (no listening: the server subsystem does that, tests use inject). */
export function buildKioskApp(deps: KioskDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: KIOSK_BODY_LIMIT });
  installErrorHandler(app, deps.logger);
  // JSON only: a form or text body is refused with 415 instead of reaching the schemas as a string.
  app.removeContentTypeParser('text/plain');
  const session = (params: unknown) =>
    parseOrThrow(SessionParams, params, 'SESSION_NOT_FOUND', 'session id').id;

  app.get('/health', async () => ({
    ...deps.lockHealth(),
    cabinetId: deps.cabinetId,
    link: deps.link(),
    outboxDepth: deps.outbox.depth(),
    activeAlarms: deps.alarms.active().length,
  }));
  app.get('/metrics', async (_req, reply) => {
    reply.type(deps.metrics.contentType);
    return deps.metrics.metrics();
  });
  app.get('/api/cabinet', async (): Promise<KioskCabinet> => {
    const slow = deps.limiter.slowdown();
    return {
      cabinetId: deps.cabinetId,
      online: deps.link() === 'connected',
      outOfService: deps.outOfService(),
      maintenance: deps.maintenance(),
      ...deps.screen,
      sizes: deps.allocator.freeBySize(),
      cabinetTriesLeft: deps.limiter.cabinetTriesLeft(),
      // The cabinet-wide delay between code tries after many wrong ones (ADR 0009); null when none.
      slowdown: slow
        ? {
            code: 'CODE_ENTRY_SLOWED',
            ...slow,
            message: `Too many wrong codes. The next code can be entered in ${Math.ceil(slow.retryAfterMs / 1000)} s.`,
          }
        : null,
    };
  });
  app.post('/api/pickups', async (req, reply) => {
    const body = parseOrThrow(PickupBody, req.body, 'VALIDATION_FAILED', 'pickup');
    const request = 'code' in body ? { pickupCode: body.code } : { pickupToken: body.token };
    return reply.code(201).send(kioskSession(await deps.flows.pickup(request)));
  });
  app.post('/api/deposits', async (req, reply) => {
    const body = parseOrThrow(DepositBody, req.body, 'VALIDATION_FAILED', 'deposit');
    return reply.code(201).send(kioskSession(await deps.flows.deposit(body)));
  });
  app.post('/api/recollections', async (req, reply) => {
    const body = parseOrThrow(CourierBody, req.body, 'VALIDATION_FAILED', 'recollection');
    return reply.code(201).send(kioskSession(await deps.flows.recollect(body)));
  });
  // A POST because the PIN must not sit in a URL; it only reads (the PIN check counts like any other).
  app.post('/api/recollections/count', async (req) => {
    const body = parseOrThrow(CourierBody, req.body, 'VALIDATION_FAILED', 'recollection count');
    return { count: await deps.flows.recollectable(body) };
  });
  app.post('/api/grants/use', async (req, reply) => {
    const { code, ...body } = parseOrThrow(GrantBody, req.body, 'VALIDATION_FAILED', 'grant use');
    return reply.code(201).send(kioskSession(await deps.flows.useGrant({ ...body, accessCode: code })));
  });
  app.post('/api/grants/token', async (req, reply) => {
    const { token, ...body } = parseOrThrow(GrantTokenBody, req.body, 'VALIDATION_FAILED', 'grant token');
    return reply.code(201).send(kioskSession(await deps.flows.useGrantToken({ ...body, grantToken: token })));
  });
  // After a reload (or a restart) the page asks which session is running, and shows it again.
  app.get('/api/sessions/current', async () => {
    const current = deps.flows.current();
    return { session: current ? kioskSession(current) : null };
  });
  app.get('/api/sessions/:id', async (req) => kioskSession(deps.flows.get(session(req.params))));
  app.post('/api/sessions/:id/problem', async (req) => {
    const id = session(req.params);
    const body = parseOrThrow(ProblemBody, req.body, 'VALIDATION_FAILED', 'problem');
    return kioskSession(await deps.flows.report(id, body.problem));
  });
  // On a board with no occupancy sensor the courier's word is what proves the parcel is in (ADR 0011).
  app.post('/api/sessions/:id/parcel-inside', async (req) =>
    kioskSession(deps.flows.confirmParcel(session(req.params))),
  );
  app.post('/api/sessions/:id/cancel', async (req) => kioskSession(deps.flows.cancel(session(req.params))));
  installStaticPage(app, deps.pageDir);
  return app;
}
