import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import { classReachM, EARTH_RADIUS_M, haversineMetres, normalLon, reachClassOf } from '../src/tasks/geo.js';
import { NearbyIndex, reachGroups } from '../src/tasks/nearby-index.js';
import { openTestDb } from './tasks-helpers.js';

const lat = fc.oneof(
  fc.double({ min: -90, max: 90, noNaN: true }),
  // near the poles, and the poles themselves
  fc.double({ min: 89, max: 90, noNaN: true }),
  fc.double({ min: -90, max: -89, noNaN: true }),
  fc.constantFrom(90, -90, 0),
);
const lon = fc.oneof(
  fc.double({ min: -180, max: 180, noNaN: true }),
  // both sides of the antimeridian
  fc.double({ min: 179, max: 180, noNaN: true }),
  fc.double({ min: -180, max: -179, noNaN: true }),
  fc.constantFrom(180, -180, 0),
);
const radius = fc.oneof(
  fc.double({ min: 1, max: 5_000, noNaN: true }),
  fc.double({ min: 1, max: 300_000, noNaN: true }),
  fc.double({ min: 1, max: 20_000_000, noNaN: true }),
);
const point = fc.record({ lat, lon, radiusM: radius });
/** Points scattered around a centre, so a search finds some and misses some. */
const near = (c: { lat: number; lon: number }) =>
  fc.record({
    lat: fc.double({ min: -1, max: 1, noNaN: true }).map((d) => Math.max(-90, Math.min(90, c.lat + d))),
    lon: fc.double({ min: -2, max: 2, noNaN: true }).map((d) => {
      const x = c.lon + d;
      return x > 180 ? x - 360 : x < -180 ? x + 360 : x;
    }),
    radiusM: radius,
  });

const scenario = point.chain((q) =>
  fc.record({
    q: fc.constant(q),
    points: fc.array(fc.oneof(point, near(q), near(q)), { minLength: 0, maxLength: 40 }),
    offset: fc.nat(5),
    limit: fc.integer({ min: 1, max: 50 }),
  }),
);

describe('the nearby index against a brute-force haversine oracle', () => {
  let t: { db: Db; close(): Promise<void> };
  let index: NearbyIndex;
  beforeAll(async () => {
    t = await openTestDb();
    index = new NearbyIndex(t.db);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finds exactly the points within both radii, nearest first, incl. the antimeridian and the poles', async () => {
    let withHits = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ q, points, offset, limit }) => {
        await t.db.deleteFrom('nearby_points').execute();
        const ids = points.map((_, i) => `P${String(i).padStart(3, '0')}`);
        for (const [i, p] of points.entries()) await index.put('task', ids[i] as string, p);
        // The oracle reads every point; longitudes as stored (180 and -180 are one meridian).
        const expected = points
          .map((p, i) => ({
            id: ids[i] as string,
            d: haversineMetres(q.lat, q.lon, p.lat, normalLon(p.lon)),
            r: p.radiusM,
          }))
          .filter((p) => p.d <= q.radiusM && p.d <= p.r)
          .sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : 1));
        const page = await index.search('task', { ...q, offset, limit });
        expect(page.total).toBe(expected.length);
        if (expected.length > 0 && expected.length < points.length) withHits++;
        expect(page.hits.map((h) => h.id)).toEqual(expected.slice(offset, offset + limit).map((e) => e.id));
        for (const h of page.hits) {
          expect(h.distanceM).toBe(expected.find((e) => e.id === h.id)?.d);
        }
      }),
      { numRuns: 300 },
    );
    // The scenarios found some points and missed others, or the comparison proved little.
    expect(withHits).toBeGreaterThan(100);
  });

  it('finds a point 1 m across the antimeridian and one 1 m past the pole', async () => {
    await t.db.deleteFrom('nearby_points').execute();
    const oneMetreDeg = (1 / EARTH_RADIUS_M) * (180 / Math.PI);
    await index.put('task', 'east', { lat: 10, lon: 180 - oneMetreDeg / 2, radiusM: 10 });
    await index.put('task', 'west', { lat: 10, lon: -180 + oneMetreDeg / 2, radiusM: 10 });
    await index.put('task', 'over-pole', { lat: 90 - oneMetreDeg / 2, lon: 0, radiusM: 10 });
    await index.put('task', 'far', { lat: 10, lon: 0, radiusM: 10 });
    const atMeridian = await index.search('task', { lat: 10, lon: 180, radiusM: 5 });
    expect(atMeridian.hits.map((h) => h.id).sort()).toEqual(['east', 'west']);
    const overPole = await index.search('task', { lat: 90 - oneMetreDeg / 2, lon: 180, radiusM: 5 });
    expect(overPole.hits.map((h) => h.id)).toEqual(['over-pole']);
  });

  it('measures the same distance as the chord of unit vectors', () => {
    const chordMetres = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) => {
      const v = (p: { lat: number; lon: number }) => {
        const [la, lo] = [(p.lat * Math.PI) / 180, (p.lon * Math.PI) / 180];
        return [Math.cos(la) * Math.cos(lo), Math.cos(la) * Math.sin(lo), Math.sin(la)] as const;
      };
      const [x, y] = [v(a), v(b)];
      const chord = Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
      return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, chord / 2));
    };
    fc.assert(
      fc.property(fc.record({ lat, lon }), fc.record({ lat, lon }), (a, b) => {
        const d = haversineMetres(a.lat, a.lon, b.lat, b.lon);
        // Both formulas lose digits near antipodes (asin near 1): agree to a metre.
        expect(Math.abs(d - chordMetres(a, b))).toBeLessThan(1);
      }),
      { numRuns: 2000 },
    );
  });

  it('puts every radius in the least reach class that covers it, and every class in one search group', () => {
    fc.assert(
      fc.property(radius, radius, (r, q) => {
        const k = reachClassOf(r);
        expect(classReachM(k)).toBeGreaterThanOrEqual(r);
        if (k > 0) expect(classReachM(k - 1)).toBeLessThan(r);
        const groups = reachGroups(q);
        expect(groups.flatMap((g) => g.classes)).toEqual(Array.from({ length: 16 }, (_, i) => i));
        for (const g of groups) expect(g.capM).toBeLessThanOrEqual(q);
      }),
    );
  });
});
