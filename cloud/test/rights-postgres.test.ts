import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccountsCloud, type TestCloud } from './accounts-helpers.js';
import { freshDatabase } from './postgres-database.js';
import { inHours, siteWithBoxes, userWithTel } from './rights-helpers.js';

describe('reservations and authorizations on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let cloud: TestCloud;
  beforeAll(async () => {
    db = await freshDatabase('rights');
    cloud = await startAccountsCloud({
      database: { dialect: 'postgres', url: db.url },
    });
  });
  afterAll(async () => {
    await cloud?.close();
    // pg's pool.end() resolves before its clients have closed; dropping the database WITH (FORCE)
    // under them would fail those clients loudly, so wait until the server has let them go.
    await untilNoConnections(db.url);
    await db?.drop();
  });

  it('parallel reservations get distinct boxes and distinct desired versions; a grant and its revocation follow', async () => {
    const app = cloud.server.app;
    await siteWithBoxes(app, 'PG0001', { '01': 'large', '02': 'large', '03': 'large' });
    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => userWithTel(app, `1340700000${i}`)));
    const results = await Promise.all(
      users.map((u) =>
        app.inject({
          method: 'POST',
          url: '/v1/reservations',
          headers: u.auth,
          payload: { siteNo: 'PG0001', size: 'large', endsAt: inHours(1) },
        }),
      ),
    );
    const won = results.filter((r) => r.statusCode === 201);
    expect(won.map((r) => r.json().reservation.boxNo).sort()).toEqual(['01', '02', '03']);
    expect(results.filter((r) => r.statusCode === 409).map((r) => r.json().error.code)).toEqual(
      Array(3).fill('NO_BOX_AVAILABLE'),
    );
    const summary = await app.inject({
      method: 'GET',
      url: '/v1/admin/cabinets/PG0001/desired',
      headers: cloud.admin,
    });
    expect(summary.json().version).toBe(3);

    const holderIndex = results.findIndex((r) => r.statusCode === 201);
    const holder = users[holderIndex] as (typeof users)[number];
    const boxNo = won[0]?.json().reservation.boxNo as string;
    const grantee = users.find((_, i) => results[i]?.statusCode !== 201) as (typeof users)[number];
    const granted = await app.inject({
      method: 'POST',
      url: '/v1/authorizations',
      headers: holder.auth,
      payload: { siteNo: 'PG0001', boxNo, grantee: grantee.tel },
    });
    expect(granted.statusCode).toBe(201);
    const revoked = await app.inject({
      method: 'POST',
      url: `/v1/authorizations/${granted.json().id}/revoke`,
      headers: holder.auth,
    });
    expect(revoked.json()).toMatchObject({ state: 'revoked' });
  });
});

async function untilNoConnections(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const base = new URL(url);
  base.pathname = '/postgres';
  const client = new pg.Client({ connectionString: base.toString() });
  await client.connect();
  try {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      const res = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [
        name,
      ]);
      if (res.rows[0]?.n === 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await client.end();
  }
}
