import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GrantDoc, makeAccessVerifier } from '@locker/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { putParcelAndClose, startCabinet, type TestCabinet, waitForSession } from './support/cabinet.js';

const KEY = Buffer.alloc(32, 7);
const KID = 'a1b2c3d4';
const accessKeys = { [KID]: KEY.toString('base64url') };
const inADay = () => new Date(Date.now() + 86_400_000).toISOString();

function grant(grantId: string, code: string, kid = KID, key = KEY): GrantDoc {
  return {
    grantId,
    kind: 'deposit',
    boxNo: '13',
    userNo: '13499996666',
    holderNo: '13455555555',
    access: makeAccessVerifier({ kid, key }, grantId, code),
    expiresAt: inADay(),
  };
}

const snapshot = (grants: GrantDoc[]) => ({ kind: 'snapshot' as const, version: 1, couriers: [], grants });
const use = (c: TestCabinet, code: string) =>
  c.call('POST', '/api/grants/use', { userNo: '13499996666', code });

describe('grants checked with the cabinet access key (HMAC verifiers, ADR 0015)', () => {
  const open: TestCabinet[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const cabinet = async (overrides: Parameters<typeof startCabinet>[0] = {}) => {
    const c = await startCabinet(overrides);
    open.push(c);
    return c;
  };

  it('opens the box for the right code and refuses a wrong one, counting it', async () => {
    const c = await cabinet({ accessKeys });
    c.daemon.desired.apply(snapshot([grant('G-h1', '82731904')]));
    const wrong = await use(c, '82731905');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('CREDENTIAL_INVALID');
    expect(wrong.body.error).toMatchObject({ details: { triesLeft: 4 } });
    const right = await use(c, '82731904');
    expect(right.status).toBe(201);
    expect(right.body).toMatchObject({ kind: 'grant_deposit', boxNo: '13', state: 'door_open' });
    putParcelAndClose(c, '13');
    await waitForSession(c, right.body.id, 'completed');
    expect(c.daemon.alarms.active().filter((a) => a.kind === 'access_key_missing')).toEqual([]);
  });

  it('does not accept a verifier copied from another grant or made under another key', async () => {
    const c = await cabinet({ accessKeys });
    const copied = { ...grant('G-h2', '11112222'), grantId: 'G-h3' };
    const otherKey = grant('G-h4', '33334444', KID, Buffer.alloc(32, 8));
    c.daemon.desired.apply(snapshot([copied, { ...otherKey, boxNo: '14' }]));
    expect((await use(c, '11112222')).body.error.code).toBe('CREDENTIAL_INVALID');
    expect((await use(c, '33334444')).body.error.code).toBe('CREDENTIAL_INVALID');
    expect(c.daemon.boxes.get('13').lock).not.toBe('unlocked');
  });

  it('without the key it raises access_key_missing, refuses with ACCESS_KEY_MISSING without counting a try, and clears once the key is configured', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'locker-edge-keys-'));
    dirs.push(dataDir);
    const first = await startCabinet({ dataDir });
    first.daemon.desired.apply(snapshot([grant('G-h5', '55556666')]));
    const alarm = first.daemon.alarms.active().find((a) => a.kind === 'access_key_missing');
    expect(alarm).toMatchObject({ subject: `kid:${KID}` });
    expect(first.daemon.outbox.all().some((e) => e.type === 'alarm.raised')).toBe(true);
    for (let i = 0; i < 6; i++) {
      const res = await use(first, '55556666');
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('ACCESS_KEY_MISSING');
    }
    expect(first.sim.frames.filter((f) => f.request.op === 'unlock')).toEqual([]);
    await first.daemon.stop();

    // The installer adds the key and restarts: the alarm clears and the code opens the box.
    const again = await cabinet({ dataDir, accessKeys });
    expect(again.daemon.alarms.active().filter((a) => a.kind === 'access_key_missing')).toEqual([]);
    const res = await use(again, '55556666');
    expect(res.status).toBe(201);
  });

  it('refuses a config whose access key is not 32 bytes of base64url', async () => {
    await expect(startCabinet({ accessKeys: { [KID]: 'short' } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});
