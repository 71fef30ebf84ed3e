import { type DesiredState, type GrantKeyring, grantPublicKey, verifyGrantToken } from '@locker/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretSeal } from '../src/accounts/secret-seal.js';
import { GrantSigningKeys } from '../src/grant-tokens/grant-signing-keys.js';
import { startAccountsCloud, type TestCloud } from './accounts-helpers.js';
import { admin, inHours, userWithTel } from './rights-helpers.js';

const SITE = 'TOKEN01';

/** The cloud's side of signed grant tokens (ADR 0017): keys, issuing, revocation, rotation. */
describe('signed grant tokens from the cloud', () => {
  let cloud: TestCloud;
  let cabinet: MqttClient;
  const received: DesiredState[] = [];
  const app = () => cloud.server.app;

  beforeAll(async () => {
    cloud = await startAccountsCloud({});
    const res = await app().inject({
      method: 'POST',
      url: '/v1/admin/cabinets',
      headers: admin,
      payload: { id: SITE, name: 'Token gate', boxes: ['01', '02', '03'] },
    });
    cabinet = await mqtt.connectAsync(cloud.server.brokerUrl, {
      ...res.json().broker,
      clientId: `cabinet-${SITE}`,
      reconnectPeriod: 0,
    });
    cabinet.on('message', (_t, p) => received.push(JSON.parse(p.toString()) as DesiredState));
    await cabinet.subscribeAsync(`lockers/${SITE}/desired`, { qos: 1 });
    await app().inject({
      method: 'PUT',
      url: `/v1/admin/sites/${SITE}`,
      headers: admin,
      payload: { name: 'Token gate', address: '1 Gate Road' },
    });
    await app().inject({
      method: 'PUT',
      url: `/v1/admin/sites/${SITE}/boxes`,
      headers: admin,
      payload: { boxes: ['01', '02', '03'].map((boxNo) => ({ boxNo, size: 'large' })) },
    });
  });

  afterAll(async () => {
    await cabinet?.endAsync();
    await cloud?.close();
  });

  async function snapshot(): Promise<Extract<DesiredState, { kind: 'snapshot' }>> {
    const before = received.length;
    await cabinet.publishAsync(`lockers/${SITE}/desired/get`, JSON.stringify({ appliedVersion: 0 }), {
      qos: 1,
    });
    await expect
      .poll(() => received.slice(before).find((d) => d.kind === 'snapshot'), { timeout: 10_000 })
      .toBeDefined();
    return received.slice(before).find((d) => d.kind === 'snapshot') as Extract<
      DesiredState,
      { kind: 'snapshot' }
    >;
  }

  const ringOf = (doc: {
    grantKeys?: Array<{ kid: string; publicKey: string; acceptUntil?: string }>;
  }): GrantKeyring =>
    new Map(
      (doc.grantKeys ?? []).map((k) => [
        k.kid,
        {
          key: grantPublicKey(k.publicKey),
          acceptUntil: k.acceptUntil ? Date.parse(k.acceptUntil) : undefined,
        },
      ]),
    );

  async function grantBetween(holderTel: string, granteeTel: string) {
    const holder = await userWithTel(app(), holderTel);
    const grantee = await userWithTel(app(), granteeTel);
    const r = await app().inject({
      method: 'POST',
      url: '/v1/reservations',
      headers: holder.auth,
      payload: { siteNo: SITE, size: 'large', endsAt: inHours(24) },
    });
    expect(r.statusCode).toBe(201);
    const boxNo = r.json().reservation.boxNo as string;
    const g = await app().inject({
      method: 'POST',
      url: '/v1/authorizations',
      headers: holder.auth,
      payload: { siteNo: SITE, boxNo, grantee: granteeTel },
    });
    expect(g.statusCode).toBe(201);
    return { holder, grantee, boxNo, grantId: g.json().id as string };
  }

  it('puts its public key, and nothing private, in every cabinet snapshot', async () => {
    const snap = await snapshot();
    expect(snap.grantKeys).toHaveLength(1);
    expect(snap.grantKeys?.[0]).toMatchObject({
      alg: 'ed25519',
      publicKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const rows = await cloud.server.db.selectFrom('grant_signing_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
    // The private half rests sealed: no PKCS#8 header (base64 "MC4CAQAw") in the row.
    expect(rows[0]?.private_sealed).not.toContain('MC4CAQAw');
    expect(rows[0]?.private_sealed.startsWith('v1.')).toBe(true);
  });

  it('signs a short-lived token for the grantee that a cabinet verifies with the key from desired state', async () => {
    const { grantee, holder, boxNo, grantId } = await grantBetween('13407000001', '13407000002');
    const res = await app().inject({
      method: 'POST',
      url: `/v1/authorizations/${grantId}/token`,
      headers: grantee.auth,
    });
    expect(res.statusCode).toBe(200);
    const issued = res.json() as { token: string; expiresAt: string; keyId: string };
    const lifetime = Date.parse(issued.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(110 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(120 * 60_000);
    const check = verifyGrantToken(issued.token, ringOf(await snapshot()), Date.now());
    expect(check).toMatchObject({
      ok: true,
      claims: {
        gid: grantId,
        kind: 'deposit',
        site: SITE,
        box: boxNo,
        user: '13407000002',
        kid: issued.keyId,
      },
    });
    // Only the grantee gets one; the holder and strangers hear the grant does not exist for them.
    const byHolder = await app().inject({
      method: 'POST',
      url: `/v1/authorizations/${grantId}/token`,
      headers: holder.auth,
    });
    expect(byHolder.statusCode).toBe(404);
    expect(byHolder.json().error.code).toBe('GRANT_NOT_FOUND');
    // Made on request, kept nowhere: not in any table.
    const dump = JSON.stringify(await cloud.server.db.selectFrom('notifications').selectAll().execute());
    expect(dump).not.toContain(issued.token.split('.')[2]);
  });

  it('sends a revocation to the cabinet with the revoke, keeps it in snapshots, and issues no more tokens', async () => {
    const { grantee, holder, grantId } = await grantBetween('13407000003', '13407000004');
    const before = received.length;
    const rev = await app().inject({
      method: 'POST',
      url: `/v1/authorizations/${grantId}/revoke`,
      headers: holder.auth,
    });
    expect(rev.statusCode).toBe(200);
    await expect
      .poll(
        () =>
          received
            .slice(before)
            .find((d) => d.kind === 'delta' && d.revokedGrants.some((r) => r.grantId === grantId)),
        { timeout: 10_000 },
      )
      .toBeDefined();
    const entry = (await snapshot()).revokedGrants?.find((r) => r.grantId === grantId);
    expect(entry).toBeDefined();
    // Kept no longer than a token made just before the revoke could live.
    expect(Date.parse(entry?.until ?? '')).toBeLessThanOrEqual(Date.now() + 120 * 60_000);
    const res = await app().inject({
      method: 'POST',
      url: `/v1/authorizations/${grantId}/token`,
      headers: grantee.auth,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('GRANT_CLOSED');
  });

  it('rotates the key: cabinets get the new list, the old key is accepted until its tokens expire, or not at all', async () => {
    const { grantee, grantId } = await grantBetween('13407000005', '13407000006');
    const old = (
      await app().inject({
        method: 'POST',
        url: `/v1/authorizations/${grantId}/token`,
        headers: grantee.auth,
      })
    ).json();
    const before = received.length;
    const rot = await app().inject({
      method: 'POST',
      url: '/v1/admin/grant-keys/rotate',
      headers: admin,
      payload: {},
    });
    expect(rot.statusCode).toBe(200);
    expect(rot.json().cabinetsTold).toBeGreaterThanOrEqual(1);
    const newKid = rot.json().active.kid as string;
    expect(newKid).not.toBe(old.keyId);
    await expect
      .poll(() => received.slice(before).find((d) => d.kind === 'delta' && d.grantKeys), { timeout: 10_000 })
      .toBeDefined();
    const pushed = received.slice(before).find((d) => d.kind === 'delta' && d.grantKeys) as Extract<
      DesiredState,
      { kind: 'delta' }
    >;
    expect(pushed.grantKeys?.map((k) => k.kid).sort()).toEqual([newKid, old.keyId].sort());
    expect(verifyGrantToken(old.token, ringOf(pushed), Date.now())).toMatchObject({ ok: true });
    const fresh = (
      await app().inject({
        method: 'POST',
        url: `/v1/authorizations/${grantId}/token`,
        headers: grantee.auth,
      })
    ).json();
    expect(fresh.keyId).toBe(newKid);

    // A leaked key: retired at once, every older token refused.
    const now = await app().inject({
      method: 'POST',
      url: '/v1/admin/grant-keys/rotate',
      headers: admin,
      payload: { retireNow: true },
    });
    expect(now.statusCode).toBe(200);
    const snap = await snapshot();
    expect(snap.grantKeys?.map((k) => k.kid)).toEqual([now.json().active.kid]);
    expect(verifyGrantToken(fresh.token, ringOf(snap), Date.now())).toMatchObject({
      ok: false,
      reason: 'unknown-key',
    });
    const list = await app().inject({ method: 'GET', url: '/v1/admin/grant-keys', headers: admin });
    expect(list.json().keys.filter((k: { state: string }) => k.state === 'active')).toHaveLength(1);
    expect(JSON.stringify(list.json())).not.toContain('private');
  });

  it('lets only an admin rotate', async () => {
    const viewer = await app().inject({
      method: 'POST',
      url: '/v1/admin/operators',
      headers: admin,
      payload: { username: 'token-viewer', role: 'viewer' },
    });
    expect(viewer.statusCode).toBe(201);
    const res = await app().inject({
      method: 'POST',
      url: '/v1/admin/grant-keys/rotate',
      headers: { authorization: `Bearer ${viewer.json().token}` },
      payload: {},
    });
    expect(res.statusCode).toBe(403);
  });

  it('keeps running when its signing key no longer opens (the seal key changed), refuses tokens with a code, and recovers by rotation', async () => {
    const other = new GrantSigningKeys(
      cloud.server.db,
      new SecretSeal(Buffer.alloc(32, 9)),
      pino({ level: 'silent' }),
    );
    await expect(other.start()).resolves.toBeUndefined();
    await expect(other.active()).rejects.toMatchObject({ code: 'GRANT_KEY_UNUSABLE' });
    const rotated = await other.rotate({ retireNow: true, tokenTtlMs: 60_000 });
    expect((await other.active()).kid).toBe(rotated.kid);
    // Back to a key this server opens, for whatever runs after.
    await cloud.server.grantTokens.keys.rotate({ retireNow: true, tokenTtlMs: 60_000 });
    expect((await cloud.server.grantTokens.keys.active()).kid).not.toBe(rotated.kid);
  });
});
