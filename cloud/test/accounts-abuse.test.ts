import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DingoClient,
  sha256hex,
  startAccountsCloud,
  type TestCloud,
  uniqueName,
  uniqueTel,
} from './accounts-helpers.js';

type Res = { statusCode: number; json: () => unknown };
const code = (res: Res) => (res.json() as { error: { code: string } }).error.code;

/** Each attempt from its own address, so only the per-account limits can refuse it. */
let addressSeq = 0;
const freshAddress = () => `10.9.${Math.floor(++addressSeq / 250)}.${(addressSeq % 250) + 1}`;

describe('per-account abuse limits on both APIs', () => {
  let cloud: TestCloud;
  let app: TestCloud['server']['app'];
  beforeAll(async () => {
    cloud = await startAccountsCloud({
      accounts: {
        limits: {
          loginFailuresPerAccount: 3,
          loginAttemptsPerAddress: 6,
          registrationsPerAddress: 1000,
          registrationsPerAccount: 2,
        },
      },
    });
    app = cloud.server.app;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  const registerV1From = (payload: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/v1/accounts', remoteAddress: freshAddress(), payload });

  it('/v1 refuses registering one name again and again, from any address, with RATE_LIMITED', async () => {
    const name = uniqueName();
    const answers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await registerV1From({ name, password: 'longenough' });
      answers.push(res.statusCode === 201 ? 'CREATED' : code(res));
    }
    expect(answers).toEqual(['CREATED', 'NAME_TAKEN', 'RATE_LIMITED']);
    const limited = await registerV1From({ name, password: 'longenough' });
    expect(limited.statusCode).toBe(429);
    // Other names are not affected.
    expect((await registerV1From({ name: uniqueName(), password: 'longenough' })).statusCode).toBe(201);
  });

  it('/v1 refuses probing one phone number under different names with RATE_LIMITED', async () => {
    const tel = uniqueTel();
    const answers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await registerV1From({ name: uniqueName(), password: 'longenough', tel });
      answers.push(res.statusCode === 201 ? 'CREATED' : code(res));
    }
    expect(answers).toEqual(['CREATED', 'TEL_TAKEN', 'RATE_LIMITED']);
  });

  it('Dingo /regist refuses one name or one tel tried again and again with RATELIMITED and Retry-After', async () => {
    const name = uniqueName('dingo');
    const byName: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await new DingoClient(app, '/dingo', freshAddress()).post('/regist', {
        name,
        pash: sha256hex('pw'),
      });
      byName.push(res.headers.status === 'SUCCESS' ? 'SUCCESS' : res.body);
      if (i === 2) {
        expect(res.statusCode).toBe(429);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(byName).toEqual(['SUCCESS', 'NAMETAKEN', 'RATELIMITED']);
    const tel = uniqueTel();
    const byTel: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await new DingoClient(app, '/dingo', freshAddress()).post('/regist', {
        name: uniqueName('dingo'),
        pash: sha256hex('pw'),
        tel,
      });
      byTel.push(res.headers.status === 'SUCCESS' ? 'SUCCESS' : res.body);
    }
    expect(byTel).toEqual(['SUCCESS', 'TELTAKEN', 'RATELIMITED']);
  });

  it('Dingo /login throttles an account after repeated failures, even with the right password', async () => {
    const name = uniqueName('dingo');
    await new DingoClient(app).post('/regist', { name, pash: sha256hex('right') });
    for (let i = 0; i < 3; i++) {
      const res = await new DingoClient(app, '/dingo', freshAddress()).login('name', name, 'wrong');
      expect(res.body).toBe('LOGINFAILED');
    }
    const locked = await new DingoClient(app, '/dingo', freshAddress()).login('name', name, 'right');
    expect([locked.statusCode, locked.headers.status, locked.body]).toEqual([429, 'FAILED', 'RATELIMITED']);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('Dingo /login limits attempts per client address', async () => {
    const client = new DingoClient(app, '/dingo', '10.8.8.8');
    const answers: string[] = [];
    for (let i = 0; i < 7; i++) answers.push((await client.login('name', `ghost_${i}`, 'x')).body);
    expect(answers).toEqual([...Array(6).fill('LOGINFAILED'), 'RATELIMITED']);
  });
});
