import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHaskellUtc } from '../src/accounts/time-stamp.js';
import {
  DingoClient,
  sha256hex,
  startAccountsCloud,
  type TestCloud,
  uniqueName,
} from './accounts-helpers.js';

/**
 * Issue 13, defect 2: the account limit was checked before the slow scrypt and counted after it,
 * so guesses sent at once all passed the check. These fire real parallel HTTP requests at a cloud
 * on port 0 and count the answers.
 */
const FAILURES_PER_ACCOUNT = 10;

describe('parallel login guesses against one account', () => {
  let cloud: TestCloud;
  let base: string;
  beforeAll(async () => {
    cloud = await startAccountsCloud({
      accounts: {
        limits: {
          loginFailuresPerAccount: FAILURES_PER_ACCOUNT,
          // Out of the way: all requests come from 127.0.0.1 and only the account limit is under test.
          loginAttemptsPerAddress: 10_000,
          registrationsPerAddress: 10_000,
          registrationsPerAccount: 10_000,
        },
      },
    });
    base = cloud.server.httpUrl;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  async function register(password: string) {
    const name = uniqueName('par');
    const res = await post('/v1/accounts', { name, password });
    expect(res.status).toBe(201);
    return { name, ...((await res.json()) as { id: string }) };
  }

  const tally = (statuses: number[]) =>
    statuses.reduce<Record<number, number>>((acc, s) => {
      acc[s] = (acc[s] ?? 0) + 1;
      return acc;
    }, {});

  it('lets only the account limit of 50 wrong POST /v1/sessions sent at once reach the password check', async () => {
    const { name } = await register('the real password');
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        post('/v1/sessions', { login: name, password: `guess ${i}` }).then((r) => r.status),
      ),
    );
    expect(tally(statuses)).toEqual({ 401: FAILURES_PER_ACCOUNT, 429: 50 - FAILURES_PER_ACCOUNT });
  });

  it('refuses the real password at position 36 of 40 parallel guesses', async () => {
    const { name } = await register('the real password');
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        post('/v1/sessions', { login: name, password: i === 35 ? 'the real password' : `guess ${i}` }).then(
          async (r) => ({
            status: r.status,
            code: ((await r.json()) as { error?: { code: string } }).error?.code,
          }),
        ),
      ),
    );
    expect(answers.some((a) => a.status === 201)).toBe(false);
    expect(answers[35]).toEqual({ status: 429, code: 'RATE_LIMITED' });
    expect(tally(answers.map((a) => a.status))).toEqual({ 401: FAILURES_PER_ACCOUNT, 429: 30 });
  });

  it('counts guesses by name and by user id together, since both name one account', async () => {
    const { name, id } = await register('the real password');
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        post('/v1/sessions', { login: i % 2 === 0 ? name : id, password: `guess ${i}` }).then(
          (r) => r.status,
        ),
      ),
    );
    expect(tally(statuses)).toEqual({ 401: FAILURES_PER_ACCOUNT, 429: 30 - FAILURES_PER_ACCOUNT });
  });

  it('holds the same limit for parallel Dingo /login guesses, which share the counter with /v1', async () => {
    const { name } = await register('the real password');
    const timeStamp = formatHaskellUtc(new Date());
    const form = (password: string) =>
      new URLSearchParams({ name, pash: DingoClient.loginHash('nnnn', password, timeStamp) }).toString();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(`${base}/dingo/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'time-stamp': timeStamp },
          body: form(i === 35 ? 'the real password' : `guess ${i}`),
        }).then(async (r) => ({ status: r.status, reason: await r.text() })),
      ),
    );
    expect(answers[35]).toEqual({ status: 429, reason: 'RATELIMITED' });
    expect(tally(answers.map((a) => a.status))).toEqual({ 401: FAILURES_PER_ACCOUNT, 429: 30 });
    // The shared counter: /v1 is locked for this account now too, even with the real password.
    expect((await post('/v1/sessions', { login: name, password: 'the real password' })).status).toBe(429);
  });

  it('limits parallel wrong current passwords on PUT /v1/me/password, which is a password check too', async () => {
    const { name } = await register('the real password');
    const login = await post('/v1/sessions', { login: name, password: 'the real password' });
    const { token } = (await login.json()) as { token: string };
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        fetch(`${base}/v1/me/password`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ currentPassword: `guess ${i}`, newPassword: 'a new password' }),
        }).then((r) => r.status),
      ),
    );
    expect(tally(statuses)).toEqual({ 403: FAILURES_PER_ACCOUNT, 429: 30 - FAILURES_PER_ACCOUNT });
  });

  it('counts parallel registrations of one name before any is stored', async () => {
    const limited = await startAccountsCloud({
      accounts: { limits: { registrationsPerAccount: 3, registrationsPerAddress: 10_000 } },
    });
    try {
      const name = uniqueName('reg');
      const statuses = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${limited.server.httpUrl}/dingo/regist`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ name, pash: sha256hex('pw') }).toString(),
          }).then((r) => r.status),
        ),
      );
      expect(tally(statuses)).toEqual({ 200: 1, 409: 2, 429: 17 });
    } finally {
      await limited.close();
    }
  });
});
