import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHaskellUtc } from '../src/accounts/time-stamp.js';
import { parseCloudConfig } from '../src/config.js';
import { redactPaths } from '../src/logger.js';
import { CloudServer } from '../src/server.js';
import { DingoClient, JPEG, sha256hex, uniqueName, VALID_PRC_ID } from './accounts-helpers.js';
import { ADMIN_TOKEN } from './helpers.js';

const SEAL_KEY = 'ab'.repeat(32);

describe('secrets at rest and in logs', () => {
  let dir: string;
  let server: CloudServer;
  const logLines: string[] = [];
  const secrets: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'locker-secrets-'));
    const config = parseCloudConfig({
      http: { host: '127.0.0.1', port: 0 },
      broker: { servicePassword: 'service-password-for-tests', embedded: { port: 0 } },
      database: { dialect: 'sqlite', file: join(dir, 'cloud.db') },
      adminToken: ADMIN_TOKEN,
      secrets: { sealKey: SEAL_KEY },
      logLevel: 'trace',
    });
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: 'trace', redact: { paths: redactPaths, censor: '[redacted]' } }, sink);
    server = new CloudServer(config, logger);
    await server.start();
    const app = server.app;

    // A /v1 user: register, log in, change the password.
    const v1Password = 'v1-plain-password-123';
    const v1New = 'v1-second-password-456';
    const name = uniqueName('secret');
    await app.inject({ method: 'POST', url: '/v1/accounts', payload: { name, password: v1Password } });
    const login = await app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { login: name, password: v1Password },
    });
    const token = (login.json() as { token: string }).token;
    const changed = await app.inject({
      method: 'PUT',
      url: '/v1/me/password',
      headers: { authorization: `Bearer ${token}` },
      payload: { currentPassword: v1Password, newPassword: v1New },
    });
    const token2 = (changed.json() as { token: string }).token;
    const wrong = await app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { login: name, password: v1New.toUpperCase() },
    });
    expect(wrong.statusCode).toBe(401);

    // A Dingo user: register with a pash, log in with the timestamped hash, verify identity.
    const dingoPassword = 'dingo-plain-password-789';
    const dingoName = uniqueName('dsecret');
    const client = new DingoClient(app);
    await client.post('/regist', { name: dingoName, pash: sha256hex(dingoPassword) });
    const dl = await client.login('name', dingoName, dingoPassword, formatHaskellUtc(new Date()));
    expect(dl.headers.status).toBe('SUCCESS');
    await client.postMultipart(
      '/identify',
      { tel: '13800000000', rname: '赵六', prcid: VALID_PRC_ID, addr: 'x' },
      { pic: JPEG },
    );
    await client.post('/changpash', { pash: sha256hex(`${dingoPassword}!`) });

    for (const pw of [v1Password, v1New, dingoPassword, `${dingoPassword}!`]) {
      const pash = sha256hex(pw);
      secrets.push(
        pw,
        pash,
        pash.toUpperCase(),
        Buffer.from(pash, 'hex').toString('base64'),
        Buffer.from(pw).toString('base64'),
      );
    }
    for (const t of [token, token2, client.token as string])
      secrets.push(t, Buffer.from(t).toString('base64'));
    secrets.push(SEAL_KEY, Buffer.from(SEAL_KEY, 'hex').toString('base64'));
    await server.stop();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps no password, pash, token or seal key in the database file', () => {
    const files = ['cloud.db', 'cloud.db-wal'].map((f) => join(dir, f)).filter((f) => existsSync(f));
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    expect(bytes.length).toBeGreaterThan(0);
    const text = bytes.toString('latin1');
    for (const s of secrets) expect(text.includes(s), `database holds ${s.slice(0, 6)}...`).toBe(false);
    // Nor raw pash bytes, nor the identity number in the clear.
    for (const pw of ['v1-plain-password-123', 'dingo-plain-password-789']) {
      expect(bytes.includes(Buffer.from(sha256hex(pw), 'hex'))).toBe(false);
    }
    expect(text.includes(VALID_PRC_ID)).toBe(false);
  });

  it('keeps no password, pash, token or seal key in the logs, even at trace level', () => {
    const logs = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(10);
    const leak = logLines.find((l) => secrets.some((s) => l.includes(s)));
    expect(leak, 'a log line holds a secret').toBeUndefined();
    for (const s of secrets) expect(logs.includes(s), `logs hold ${s.slice(0, 6)}...`).toBe(false);
    expect(logs.includes(VALID_PRC_ID)).toBe(false);
  });
});
