import type { Db } from '@locker/cloud';
import { EARTH_RADIUS_M, nearbyRow } from '@locker/cloud';

/** A small seeded generator (mulberry32), so every run measures the same points and queries. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cities the tasks gather around (lat, lon): dense where people are, one near the antimeridian. */
export const CITIES: Array<[number, number]> = [
  [34.26, 108.94],
  [39.9, 116.4],
  [31.23, 121.47],
  [23.13, 113.26],
  [30.57, 104.07],
  [22.54, 114.06],
  [30.59, 114.3],
  [36.07, 120.38],
  [45.75, 126.65],
  [25.04, 121.56],
  [35.68, 139.69],
  [1.35, 103.82],
  [-36.85, 174.76],
  [64.84, -147.72],
  [-18.14, 178.44],
  [51.51, -0.13],
];

export interface BenchPoint {
  lat: number;
  lon: number;
  radiusM: number;
}

/**
 * Where a task is: 80 % around a city (normal, sigma 15 km), 20 % anywhere on the sphere; its
 * radius 500 m to 5 km.
 */
export function benchPoint(rand: () => number): BenchPoint {
  const radiusM = 500 + rand() * 4500;
  if (rand() < 0.2) {
    const lat = (Math.asin(2 * rand() - 1) * 180) / Math.PI;
    return { lat, lon: rand() * 360 - 180, radiusM };
  }
  const [cLat, cLon] = CITIES[Math.floor(rand() * CITIES.length)] as [number, number];
  const sigmaDeg = ((15_000 / EARTH_RADIUS_M) * 180) / Math.PI;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const lat = Math.max(-90, Math.min(90, cLat + gauss() * sigmaDeg));
  let lon = cLon + (gauss() * sigmaDeg) / Math.max(0.01, Math.cos((cLat * Math.PI) / 180));
  if (lon >= 180) lon -= 360;
  if (lon < -180) lon += 360;
  return { lat, lon, radiusM };
}

/**
 * Writes `count` task points straight into the nearby index table, in multi-row inserts inside
 * large transactions (the bench needs a million rows, not a million task moves).
 */
export async function loadPoints(db: Db, count: number, rand: () => number): Promise<void> {
  const rowsPerInsert = 2000;
  const rowsPerTransaction = 100_000;
  let n = 0;
  while (n < count) {
    const end = Math.min(count, n + rowsPerTransaction);
    await db.transaction().execute(async (trx) => {
      while (n < end) {
        const rows = [];
        for (let i = 0; i < rowsPerInsert && n < end; i++, n++) {
          rows.push(nearbyRow('task', `T${String(n).padStart(50, '0')}`, benchPoint(rand)));
        }
        await trx.insertInto('nearby_points').values(rows).execute();
      }
    });
  }
}

/** A searcher near a city (within 20 km of its centre), looking 1, 3 or 10 km around. */
export function benchQuery(rand: () => number): BenchPoint {
  const [cLat, cLon] = CITIES[Math.floor(rand() * CITIES.length)] as [number, number];
  const d = 0.18 * (rand() - 0.5);
  let lon = cLon + d;
  if (lon >= 180) lon -= 360;
  return {
    lat: cLat + 0.18 * (rand() - 0.5),
    lon,
    radiusM: [1000, 3000, 10_000][Math.floor(rand() * 3)] as number,
  };
}
