import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createDatabase, migrateToLatest } from '../src/db/database.js';
import { migrations } from '../src/db/migrations/index.js';
import { bandOf } from '../src/tasks/geo.js';
import { NearbyIndex, nearbyRow } from '../src/tasks/nearby-index.js';

describe('migration 0008-nearby-vectors', () => {
  it('fills the vector, reach and class of points indexed before it, so they are still found', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-nearby-mig-'));
    const db = createDatabase({ dialect: 'sqlite', file: join(dir, 'cloud.db') });
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      const to5 = await migrator.migrateTo('0005-tasks');
      expect(to5.error).toBeUndefined();
      const old = [
        { id: 'east', lat: -16.5, lon: 179.9999, radius_m: 3000 },
        { id: 'far-reach', lat: 10, lon: 20, radius_m: 19_000_000 },
      ];
      for (const p of old) {
        await sql`insert into nearby_points (kind, id, band, lon, lat, radius_m)
          values ('task', ${p.id}, ${bandOf(p.lat)}, ${p.lon}, ${p.lat}, ${p.radius_m})`.execute(db);
      }
      await migrateToLatest(db);
      const rows = await db.selectFrom('nearby_points').selectAll().orderBy('id').execute();
      expect(rows).toEqual(
        old
          .map((p) => nearbyRow('task', p.id, { lat: p.lat, lon: p.lon, radiusM: p.radius_m }))
          .sort((x, y) => (x.id < y.id ? -1 : 1)),
      );
      const index = new NearbyIndex(db);
      const found = await index.search('task', { lat: -16.5, lon: -179.9999, radiusM: 1000 });
      expect(found.hits.map((h) => h.id)).toEqual(['east']);
      const farAway = await index.search('task', { lat: 0, lon: 100, radiusM: 19_000_000 });
      expect(farAway.hits.map((h) => h.id)).toEqual(['far-reach']);
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
