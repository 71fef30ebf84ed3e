import { randomUUID } from 'node:crypto';
import { CommandOp, topics } from '@locker/protocol';
import type { InjectOptions } from 'fastify';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorRole } from '../src/operators/roles.js';
import { startTestCloud } from './helpers.js';

type Cloud = Awaited<ReturnType<typeof startTestCloud>>;
type Route = Omit<InjectOptions, 'headers'> & { role: OperatorRole };

const CAB = 'ROLE01';
const USER = `U2016-06-01${'0'.repeat(40)}`;
const ROLES: OperatorRole[] = ['viewer', 'operator', 'admin'];
let seq = 0;
const fresh = () => `x${++seq}${randomUUID().slice(0, 6)}`;

/**
 * The /v1/admin routes of this feature with the least role that may call it and a request that
 * passes validation, so an allowed role reaches the handler. Routes other features add are
 * checked by the role their OpenAPI description states (the admin plugin writes it); list a route
 * here to check it with a real request as well.
 */
const ROUTES: Record<string, () => Route> = {
  'POST /v1/admin/cabinets': () => ({
    role: 'admin',
    method: 'POST',
    url: '/v1/admin/cabinets',
    payload: { id: `R${fresh()}`.slice(0, 12).toUpperCase(), name: 'matrix' },
  }),
  'GET /v1/admin/cabinets': () => ({ role: 'viewer', method: 'GET', url: '/v1/admin/cabinets' }),
  'GET /v1/admin/cabinets/{cabinetId}': () => ({
    role: 'viewer',
    method: 'GET',
    url: `/v1/admin/cabinets/${CAB}`,
  }),
  'PUT /v1/admin/cabinets/{cabinetId}/boxes': () => ({
    role: 'admin',
    method: 'PUT',
    url: `/v1/admin/cabinets/${CAB}/boxes`,
    payload: { boxes: ['01', '02', '03'] },
  }),
  'POST /v1/admin/cabinets/{cabinetId}/credentials': () => ({
    role: 'admin',
    method: 'POST',
    url: '/v1/admin/cabinets/ROLE02/credentials',
  }),
  'POST /v1/admin/cabinets/{cabinetId}/boxes/{boxNo}/open': () => ({
    role: 'operator',
    method: 'POST',
    url: '/v1/admin/cabinets/ROLE02/boxes/01/open',
    payload: { reason: 'matrix' },
  }),
  'PUT /v1/admin/cabinets/{cabinetId}/service': () => ({
    role: 'operator',
    method: 'PUT',
    url: `/v1/admin/cabinets/${CAB}/service`,
    payload: { outOfService: false },
  }),
  'GET /v1/admin/cabinets/{cabinetId}/desired': () => ({
    role: 'viewer',
    method: 'GET',
    url: `/v1/admin/cabinets/${CAB}/desired`,
  }),
  'PUT /v1/admin/cabinets/{cabinetId}/couriers/{courierId}': () => ({
    role: 'admin',
    method: 'PUT',
    url: `/v1/admin/cabinets/${CAB}/couriers/C-9`,
    payload: { pin: '93517' },
  }),
  'DELETE /v1/admin/cabinets/{cabinetId}/couriers/{courierId}': () => ({
    role: 'admin',
    method: 'DELETE',
    url: `/v1/admin/cabinets/${CAB}/couriers/C-9`,
  }),
  'PUT /v1/admin/cabinets/{cabinetId}/boxes/{boxNo}/settings': () => ({
    role: 'operator',
    method: 'PUT',
    url: `/v1/admin/cabinets/${CAB}/boxes/02/settings`,
    payload: { outOfService: false },
  }),
  'POST /v1/admin/cabinets/{cabinetId}/diagnostics': () => ({
    role: 'operator',
    method: 'POST',
    url: '/v1/admin/cabinets/ROLE02/diagnostics',
  }),
  'POST /v1/admin/cabinets/{cabinetId}/alarms/{alarmId}/clear': () => ({
    role: 'operator',
    method: 'POST',
    url: '/v1/admin/cabinets/ROLE02/alarms/a-1/clear',
    payload: { reason: 'matrix' },
  }),
  'GET /v1/admin/verifications': () => ({ role: 'admin', method: 'GET', url: '/v1/admin/verifications' }),
  'POST /v1/admin/verifications/{userId}': () => ({
    role: 'admin',
    method: 'POST',
    url: `/v1/admin/verifications/${USER}`,
    payload: { decision: 'pass' },
  }),
  'POST /v1/admin/operators': () => ({
    role: 'admin',
    method: 'POST',
    url: '/v1/admin/operators',
    payload: { username: `m${fresh()}`, role: 'viewer' },
  }),
  'GET /v1/admin/operators': () => ({ role: 'admin', method: 'GET', url: '/v1/admin/operators' }),
  'PATCH /v1/admin/operators/{username}': () => ({
    role: 'admin',
    method: 'PATCH',
    url: '/v1/admin/operators/spare-op',
    payload: { role: 'viewer' },
  }),
  'POST /v1/admin/operators/{username}/credentials': () => ({
    role: 'admin',
    method: 'POST',
    url: '/v1/admin/operators/spare-op/credentials',
  }),
  'GET /v1/admin/audit': () => ({ role: 'viewer', method: 'GET', url: '/v1/admin/audit?limit=5' }),
  'GET /v1/admin/commands': () => ({ role: 'viewer', method: 'GET', url: '/v1/admin/commands?limit=5' }),
  'DELETE /v1/admin/sessions/current': () => ({
    role: 'viewer',
    method: 'DELETE',
    url: '/v1/admin/sessions/current',
  }),
};

interface Account {
  username: string;
  password: string;
  broker: { username: string; password: string };
}

describe('operator roles: every admin route and MQTT command for every role', () => {
  let cloud: Cloud;
  const accounts = {} as Record<OperatorRole, Account>;
  const clients: MqttClient[] = [];
  let cabinet: MqttClient;

  async function call(opts: InjectOptions) {
    return cloud.server.app.inject(opts);
  }
  const tokens = new Map<OperatorRole, string>();
  /** A token from the login route, as a person would get one; one per role (logins are limited). */
  async function tokenOf(role: OperatorRole): Promise<string> {
    const known = tokens.get(role);
    if (known) return known;
    const token = await login(role);
    tokens.set(role, token);
    return token;
  }
  async function login(role: OperatorRole): Promise<string> {
    const res = await call({
      method: 'POST',
      url: '/v1/admin/sessions',
      payload: { username: accounts[role].username, password: accounts[role].password },
    });
    expect(res.statusCode).toBe(201);
    return res.json().token;
  }

  beforeAll(async () => {
    cloud = await startTestCloud();
    for (const id of [CAB, 'ROLE02']) {
      const res = await call({
        method: 'POST',
        url: '/v1/admin/cabinets',
        headers: cloud.admin,
        payload: { id, name: id },
      });
      expect(res.statusCode).toBe(201);
      if (id === CAB) {
        cabinet = await mqtt.connectAsync(cloud.server.brokerUrl, {
          ...res.json().broker,
          clientId: `cabinet-${CAB}`,
          reconnectPeriod: 0,
        });
        clients.push(cabinet);
      }
    }
    for (const role of [...ROLES, 'spare-op'] as const) {
      const username = role === 'spare-op' ? role : `matrix-${role}`;
      const res = await call({
        method: 'POST',
        url: '/v1/admin/operators',
        headers: cloud.admin,
        payload: { username, role: role === 'spare-op' ? 'operator' : role },
      });
      expect(res.statusCode).toBe(201);
      if (role !== 'spare-op') accounts[role] = { ...res.json(), username };
    }
  });

  afterAll(async () => {
    for (const c of clients) c.end(true);
    await cloud?.close();
  });

  /** Each operator route of the OpenAPI document with the role its description states. */
  async function documentedRoutes(): Promise<Map<string, string | undefined>> {
    const doc = (await call({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<
        string,
        Record<string, { description?: string; security?: Array<Record<string, unknown>> }>
      >;
    };
    return new Map(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.entries(ops)
          .filter(([, op]) => op.security?.some((s) => 'adminToken' in s))
          .map(([method, op]) => [
            `${method.toUpperCase()} ${path}`,
            /^Role: (viewer|operator|admin) or above\./.exec(op.description ?? '')?.[1],
          ]),
      ),
    );
  }

  it('states the role of every operator route in the OpenAPI document, as this table expects', async () => {
    const documented = await documentedRoutes();
    for (const [name, role] of documented) expect(role, name).toBeDefined();
    for (const [name, route] of Object.entries(ROUTES)) expect(documented.get(name), name).toBe(route().role);
  });

  it('guards operator routes this table does not list (other features) by the role they state', async () => {
    const documented = await documentedRoutes();
    for (const [name, needed] of documented) {
      if (name in ROUTES) continue;
      const [method, path] = name.split(' ') as [InjectOptions['method'], string];
      // The role is checked before anything is validated, so placeholder ids and no body will do.
      const url = path.replace(/\{[^}]+\}/g, 'X1');
      expect((await call({ method, url })).statusCode, name).toBe(401);
      for (const role of ROLES) {
        const res = await call({ method, url, headers: { authorization: `Bearer ${await tokenOf(role)}` } });
        const allowed = ROLES.indexOf(role) >= ROLES.indexOf(needed as OperatorRole);
        if (allowed) expect([401, 403], `${role} on ${name}`).not.toContain(res.statusCode);
        else
          expect([res.statusCode, res.json().error.code], `${role} on ${name}`).toEqual([403, 'FORBIDDEN']);
      }
    }
  });

  for (const [name, route] of Object.entries(ROUTES)) {
    it(`${name}: refused without a token, 403 below its role, allowed from it`, async () => {
      const { role: needed, ...req } = route();
      expect((await call(req)).statusCode).toBe(401);
      for (const role of ROLES) {
        const { role: _r, ...again } = route();
        // Logging out ends the token, so that route gets one of its own.
        const token = again.url === '/v1/admin/sessions/current' ? await login(role) : await tokenOf(role);
        const res = await call({ ...again, headers: { authorization: `Bearer ${token}` } });
        const allowed = ROLES.indexOf(role) >= ROLES.indexOf(needed);
        if (allowed) expect([401, 403], `${role} on ${name}: ${res.body}`).not.toContain(res.statusCode);
        else
          expect([res.statusCode, res.json().error.code], `${role} on ${name}`).toEqual([403, 'FORBIDDEN']);
      }
    });
  }

  it('checks the role before the body: a viewer learns nothing about what a route accepts', async () => {
    const res = await call({
      method: 'POST',
      url: '/v1/admin/operators',
      headers: { authorization: `Bearer ${await tokenOf('viewer')}` },
      payload: { nonsense: true },
    });
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('lets a command reach the cabinet only from operator and admin broker accounts, and audits who sent it', async () => {
    const seen: string[] = [];
    cabinet.on('message', (_t, p) => seen.push(JSON.parse(p.toString()).transaction));
    await cabinet.subscribeAsync(`lockers/${CAB}/request/+`, { qos: 1 });
    const sent: Array<{ role: OperatorRole; op: CommandOp; transaction: string }> = [];
    for (const role of ROLES) {
      const c = await mqtt.connectAsync(cloud.server.brokerUrl, {
        ...accounts[role].broker,
        clientId: `matrix-${role}`,
        reconnectPeriod: 0,
      });
      clients.push(c);
      for (const op of CommandOp.options) {
        const transaction = randomUUID();
        const params: Record<CommandOp, unknown> = {
          open_box: { boxNo: '01', reason: 'matrix' },
          set_out_of_service: { boxNo: '01', outOfService: true, reason: 'matrix' },
          diagnostics: {},
          clear_alarm: { alarmId: 'a-1', reason: 'matrix' },
        };
        const body = { transaction, params: params[op] };
        // requestedBy is forged: the broker stamps the authenticated name over it.
        const payload = JSON.stringify({ ...body, requestedBy: 'someone-else' });
        // The broker answers a viewer's command by closing its connection: no PUBACK to wait for.
        if (role === 'viewer') c.publish(topics.request(CAB, op), payload, { qos: 1 });
        else await c.publishAsync(topics.request(CAB, op), payload, { qos: 1 });
        sent.push({ role, op, transaction });
      }
      if (role === 'viewer') await new Promise<void>((closed) => c.once('close', () => closed()));
    }
    const allowed = sent.filter((s) => s.role !== 'viewer');
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(allowed.length);
    expect(seen.sort()).toEqual(allowed.map((s) => s.transaction).sort());

    const audit = async () =>
      (await call({ method: 'GET', url: '/v1/admin/audit?limit=500', headers: cloud.admin })).json()
        .entries as Array<{ actor: string; action: string; transaction: string | null; channel: string }>;
    await expect
      .poll(async () => (await audit()).filter((e) => e.channel === 'mqtt').length, { timeout: 10_000 })
      .toBe(allowed.length);
    const entries = await audit();
    for (const s of allowed) {
      const e = entries.find((x) => x.transaction === s.transaction);
      expect(e, `${s.role} ${s.op}`).toMatchObject({ actor: `matrix-${s.role}`, action: `command.${s.op}` });
    }
  });
});
