import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { signedHeaders } from '../src/authorizers/webhook-signature.js';
import type { CloudConfigInput } from '../src/config.js';
import type { CloudServer } from '../src/server.js';
import { startCloudIn } from './helpers.js';
import { admin, inHours, siteWithBoxes, userWithTel } from './rights-helpers.js';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

export type Reply = { status: number; body?: unknown; signed?: boolean };

/**
 * An authorizer's service on loopback for cloud tests: records what the cloud POSTs and answers
 * as the test says (default 202, a callback will follow).
 */
export class FakeAuthorizer {
  readonly received: Received[] = [];
  secret = '';
  respond: (m: Received) => Reply = () => ({ status: 202, body: { accepted: true } });

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeAuthorizer> {
    let self: FakeAuthorizer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const m: Received = { headers: req.headers, body, json: JSON.parse(body) as Record<string, unknown> };
        self?.received.push(m);
        const reply = self?.respond(m) ?? { status: 500 };
        const text = JSON.stringify(reply.body ?? {});
        res.writeHead(reply.status, {
          'content-type': 'application/json',
          ...(reply.signed && self ? signedHeaders(self.secret, text) : {}),
        });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new FakeAuthorizer(server);
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  ofType(type: string): Received[] {
    return this.received.filter((m) => m.json.type === type);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Registers an authorizer as an admin; answers its secret (shown once). */
export async function registerAuthorizer(app: FastifyInstance, no: string, name: string, url: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/admin/authorizers',
    headers: admin,
    payload: { no, name, url },
  });
  if (res.statusCode !== 201) throw new Error(`authorizer failed: ${res.body}`);
  return res.json().secret as string;
}

/** An authorizer's callback, signed with `secret` (or as the test overrides). */
export function callback(
  app: FastifyInstance,
  secret: string,
  answer: Record<string, unknown>,
  opts: { at?: Date; headers?: Record<string, string>; raw?: string } = {},
) {
  const body = opts.raw ?? JSON.stringify(answer);
  return app.inject({
    method: 'POST',
    url: '/v1/authorizers/callback',
    headers: { 'content-type': 'application/json', ...signedHeaders(secret, body, opts.at), ...opts.headers },
    payload: body,
  });
}

/** A site with large boxes, a holder with a reservation on box 01, and a courier to grant it to. */
export async function holderWithBox(app: FastifyInstance, siteNo: string, holderTel: string) {
  await siteWithBoxes(app, siteNo, { '01': 'large', '02': 'large' });
  const holder = await userWithTel(app, holderTel);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/reservations',
    headers: holder.auth,
    payload: { siteNo, size: 'large', endsAt: inHours(2) },
  });
  if (res.statusCode !== 201) throw new Error(`reservation failed: ${res.body}`);
  return { holder, reservation: res.json().reservation as { id: string; boxNo: string } };
}

export async function boxOf(app: FastifyInstance, siteNo: string, boxNo: string) {
  const res = await app.inject({ method: 'GET', url: `/v1/admin/sites/${siteNo}/boxes`, headers: admin });
  return (res.json().boxes as Array<{ boxNo: string; status: string; holderId: string | null }>).find(
    (b) => b.boxNo === boxNo,
  );
}

export function askAuthorizer(
  app: FastifyInstance,
  auth: Record<string, string>,
  body: { siteNo: string; boxNo: string; authorizerNo: string },
) {
  return app.inject({ method: 'POST', url: '/v1/authorizations/third-party', headers: auth, payload: body });
}

/** A cloud on a given directory, so a test can stop it and start another on the same database. */
export function cloudOn(dir: string, overrides: Partial<CloudConfigInput> = {}): Promise<CloudServer> {
  return startCloudIn(dir, overrides);
}

export type Notes = Array<{ kind: string; payload: Record<string, unknown> }>;

export async function notesOf(app: FastifyInstance, auth: Record<string, string>): Promise<Notes> {
  return (await app.inject({ method: 'GET', url: '/v1/me/notifications', headers: auth })).json()
    .notifications;
}

export async function requestOf(app: FastifyInstance, auth: Record<string, string>, id: string) {
  return (
    await app.inject({ method: 'GET', url: `/v1/authorizations/third-party/${id}`, headers: auth })
  ).json();
}
