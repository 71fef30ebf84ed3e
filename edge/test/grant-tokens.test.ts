import {
  type GrantTokenClaims,
  generateGrantKey,
  grantPrivateKey,
  makeAccessVerifier,
  signGrantToken,
} from '@locker/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CABINET,
  putParcelAndClose,
  startCabinet,
  type TestCabinet,
  takeParcelAndClose,
  waitForSession,
} from './support/cabinet.js';

const cloudKey = generateGrantKey('k1');
const nextKey = generateGrantKey('k2');
const now = () => Math.floor(Date.now() / 1000);

function token(over: Partial<GrantTokenClaims> = {}, key = cloudKey): string {
  return signGrantToken(
    {
      v: 1,
      kid: key.kid,
      gid: 'G000000000000000000000001',
      kind: 'deposit',
      site: CABINET,
      box: '13',
      user: '13466666666',
      nbf: now() - 60,
      exp: now() + 3600,
      ...over,
    },
    grantPrivateKey(key.privateKeyPkcs8),
  );
}

const keyDoc = (k: typeof cloudKey, acceptUntil?: string) => ({
  kid: k.kid,
  alg: 'ed25519' as const,
  publicKey: k.publicKey,
  ...(acceptUntil ? { acceptUntil } : {}),
});

describe('signed grant tokens at the cabinet, with no network (ADR 0017)', () => {
  let c: TestCabinet;
  const use = (t: string, boxNo?: string) =>
    c.call('POST', '/api/grants/token', boxNo ? { token: t, boxNo } : { token: t });

  beforeEach(async () => {
    c = await startCabinet();
    // The keys arrived in a snapshot long ago; the grant itself never reached this cabinet.
    c.daemon.desired.apply({
      kind: 'snapshot',
      version: 1,
      couriers: [],
      grants: [],
      grantKeys: [keyDoc(cloudKey)],
    });
  });
  afterEach(async () => {
    await c.close();
  });

  it('opens box 13 for 王某 13466666666 with a token for a grant the cabinet never received, once', async () => {
    const t = token();
    const res = await use(t);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'grant_deposit', boxNo: '13', state: 'door_open' });
    putParcelAndClose(c, '13');
    await waitForSession(c, res.body.id, 'completed');
    expect(c.daemon.outbox.all().some((e) => e.type === 'box.unlocked')).toBe(true);
    const used = c.daemon.outbox.all().find((e) => e.type === 'grant.used');
    expect(used?.data).toEqual({
      grantId: 'G000000000000000000000001',
      boxNo: '13',
      userNo: '13466666666',
      kind: 'deposit',
    });
    expect(c.daemon.outbox.all().find((e) => e.type === 'parcel.deposited')?.data).toMatchObject({
      grantId: 'G000000000000000000000001',
      depositor: '13466666666',
    });

    const again = await use(t);
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('GRANT_TOKEN_USED');
  });

  it('marks a grant used by its token as used when the grant then arrives in desired state', async () => {
    const res = await use(token());
    putParcelAndClose(c, '13');
    await waitForSession(c, res.body.id, 'completed');
    c.daemon.desired.apply({
      kind: 'delta',
      version: 2,
      baseVersion: 1,
      grants: [
        {
          grantId: 'G000000000000000000000001',
          kind: 'deposit',
          boxNo: '13',
          userNo: '13466666666',
          access: makeAccessVerifier(
            { kid: 'a1', key: Buffer.alloc(32, 7) },
            'G000000000000000000000001',
            '12345678',
          ),
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      ],
    });
    expect(c.daemon.credentials.grantsOf('13466666666')).toEqual([]);
  });

  it('refuses a forged token, one signed by a key it does not hold, and text that is no token, counting each as a wrong try', async () => {
    const [prefix, , sig] = token().split('.');
    const claims = Buffer.from(
      JSON.stringify({
        v: 1,
        kid: 'k1',
        gid: 'G9',
        kind: 'deposit',
        site: CABINET,
        box: '14',
        user: '1',
        nbf: now(),
        exp: now() + 60,
      }),
    ).toString('base64url');
    const forged = await use(`${prefix}.${claims}.${sig}`);
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('GRANT_TOKEN_INVALID');
    const stranger = await use(token({}, generateGrantKey('k1')));
    expect(stranger.body.error.code).toBe('GRANT_TOKEN_INVALID');
    const garbage = await use('LG1.not-a-token');
    expect(garbage.body.error.code).toBe('GRANT_TOKEN_INVALID');
    expect(garbage.body.error).toMatchObject({ details: { triesLeft: expect.any(Number) } });
    // No unlock went out for any of them.
    expect(c.daemon.outbox.all().some((e) => e.type === 'box.unlocked' || e.type === 'grant.used')).toBe(
      false,
    );
  });

  it('refuses an expired token and says so', async () => {
    const res = await use(token({ nbf: now() - 7200, exp: now() - 1 }));
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('GRANT_TOKEN_EXPIRED');
  });

  it('refuses a token for another site, for a box this cabinet lacks, and for a box other than the one chosen', async () => {
    const otherSite = await use(token({ site: '610091A02' }));
    expect(otherSite.status).toBe(403);
    expect(otherSite.body.error).toMatchObject({
      code: 'GRANT_TOKEN_WRONG_PLACE',
      details: { siteNo: '610091A02' },
    });
    expect((await use(token({ box: '99' }))).body.error.code).toBe('GRANT_TOKEN_WRONG_PLACE');
    expect((await use(token(), '14')).body.error.code).toBe('GRANT_TOKEN_WRONG_PLACE');
    expect(c.daemon.sessions.activeForBox('13')).toBeFalsy();
  });

  it('refuses a revoked token once the revocation has synced, and forgets the entry after it can matter', async () => {
    c.daemon.desired.apply({
      kind: 'delta',
      version: 2,
      baseVersion: 1,
      revokedGrants: [
        { grantId: 'G000000000000000000000001', until: new Date(Date.now() + 3_600_000).toISOString() },
      ],
    });
    const res = await use(token());
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('GRANT_TOKEN_REVOKED');
    c.daemon.desired.apply({
      kind: 'delta',
      version: 3,
      baseVersion: 2,
      revokedGrants: [{ grantId: 'G-old', until: new Date(Date.now() - 1000).toISOString() }],
    });
    expect(c.daemon.grantTokens.counts().revoked).toBe(1);
  });

  it('refuses an old key id after a rotation that retired it, and accepts the old key until its acceptUntil', async () => {
    c.daemon.desired.apply({
      kind: 'delta',
      version: 2,
      baseVersion: 1,
      grantKeys: [keyDoc(nextKey), keyDoc(cloudKey, new Date(Date.now() + 60_000).toISOString())],
    });
    expect((await use(token({ gid: 'G-a', box: '14' }))).status).toBe(201);
    expect((await use(token({ gid: 'G-b', box: '15' }, nextKey))).status).toBe(201);
    c.daemon.desired.apply({ kind: 'delta', version: 3, baseVersion: 2, grantKeys: [keyDoc(nextKey)] });
    const old = await use(token({ gid: 'G-c', box: '16' }));
    expect(old.body.error.code).toBe('GRANT_TOKEN_INVALID');
  });

  it('takes a pickup token only for the parcel it names', async () => {
    const dep = await use(token({ gid: 'G-dep', box: '14' }));
    putParcelAndClose(c, '14');
    const done = await waitForSession(c, dep.body.id, 'completed');
    const parcelId = done.parcelId as string;
    const wrong = await use(token({ gid: 'G-p1', kind: 'pickup', box: '14', parcel: 'P-someone-else' }));
    expect(wrong.body.error.code).toBe('BOX_NOT_AVAILABLE');
    const right = await use(token({ gid: 'G-p2', kind: 'pickup', box: '14', parcel: parcelId }));
    expect(right.status).toBe(201);
    expect(right.body).toMatchObject({ kind: 'grant_pickup', boxNo: '14' });
    takeParcelAndClose(c, '14');
    await waitForSession(c, right.body.id, 'completed');
  });

  it('accepts no token at all from a cabinet whose cloud sent no keys', async () => {
    c.daemon.desired.apply({ kind: 'snapshot', version: 2, couriers: [], grants: [] });
    expect((await use(token())).body.error.code).toBe('GRANT_TOKEN_INVALID');
  });
});
