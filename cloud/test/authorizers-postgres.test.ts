import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryQueue } from '../src/authorizers/delivery-queue.js';
import { signedHeaders } from '../src/authorizers/webhook-signature.js';
import { startAccountsCloud, type TestCloud } from './accounts-helpers.js';
import {
  askAuthorizer,
  boxOf,
  callback,
  FakeAuthorizer,
  holderWithBox,
  registerAuthorizer,
  requestOf,
} from './authorizer-helpers.js';
import { freshDatabase } from './postgres-database.js';
import { userWithTel } from './rights-helpers.js';

/** The same SQL on PostgreSQL: the open-request index, the lease claim, the replay memory, the race. */
describe('third-party authorizers on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let cloud: TestCloud;
  let fake: FakeAuthorizer;
  beforeAll(async () => {
    db = await freshDatabase('authorizers');
    fake = await FakeAuthorizer.start();
    cloud = await startAccountsCloud({
      database: { dialect: 'postgres', url: db.url },
      authorizers: { workerIntervalMs: 600_000, sendAtOnce: false },
    });
  });
  afterAll(async () => {
    await cloud?.close();
    await fake?.close();
    await db?.drop();
  });

  it('keeps one open request per box, claims each try once, applies one of two racing answers and refuses a replay', async () => {
    const app = cloud.server.app;
    const secret = await registerAuthorizer(app, '0001', '快递公司A', fake.url);
    fake.secret = secret;
    fake.respond = () => ({ status: 202 });
    const { holder } = await holderWithBox(app, 'PGA001', '13488882001');
    const [a, b] = await Promise.all([
      askAuthorizer(app, holder.auth, { siteNo: 'PGA001', boxNo: '01', authorizerNo: '0001' }),
      askAuthorizer(app, holder.auth, { siteNo: 'PGA001', boxNo: '01', authorizerNo: '0001' }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([202, 409]);
    const req = (a.statusCode === 202 ? a : b).json();
    expect((a.statusCode === 409 ? a : b).json().error.code).toBe('AUTHORIZATION_REQUEST_OPEN');

    const now = new Date();
    const [c1, c2] = await Promise.all([
      new DeliveryQueue(cloud.server.db).claimDue(now, 30_000),
      new DeliveryQueue(cloud.server.db).claimDue(now, 30_000),
    ]);
    expect([...c1, ...c2].filter((d) => d.request_id === req.id)).toHaveLength(1);
    await cloud.server.authorizers.sender.pass(new Date(now.getTime() + 31_000));
    expect(fake.ofType('authorization_request')).toHaveLength(1);
    expect((await requestOf(app, holder.auth, req.id)).state).toBe('sent');

    const x = await userWithTel(app, '13466662001');
    const y = await userWithTel(app, '13466662002');
    const answer = { requestId: req.id, siteNo: 'PGA001', boxNo: '01', authorizerNo: '0001' };
    const [r1, r2] = await Promise.all([
      callback(app, secret, { ...answer, grantee: x.tel }),
      callback(app, secret, { ...answer, grantee: y.tel }),
    ]);
    const codes = [r1, r2].map((r) => (r.statusCode === 200 ? 'ok' : r.json().error.code)).sort();
    expect(codes).toEqual(['AUTHORIZATION_REQUEST_ANSWERED', 'ok']);
    const winner = r1.statusCode === 200 ? x : y;
    expect(await boxOf(app, 'PGA001', '01')).toMatchObject({ holderId: winner.id });

    const body = JSON.stringify({ ...answer, grantee: x.tel });
    const headers = {
      'content-type': 'application/json',
      ...signedHeaders(secret, body, new Date(Date.now() + 2000)),
    };
    const first = await app.inject({
      method: 'POST',
      url: '/v1/authorizers/callback',
      headers,
      payload: body,
    });
    expect(first.json().error.code).toBe('AUTHORIZATION_REQUEST_ANSWERED');
    const replay = await app.inject({
      method: 'POST',
      url: '/v1/authorizers/callback',
      headers,
      payload: body,
    });
    expect(replay.json().error.code).toBe('SIGNATURE_REPLAYED');
  });
});
