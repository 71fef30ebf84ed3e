import type { Kysely } from 'kysely';
import type { Db } from '../db/database.js';
import type { CloudDatabase } from '../db/schema.js';
import { bandOf, coverCap, haversineMetres, normalLon } from './geo.js';

export type NearbyKind = 'task' | 'agent';
export interface NearbyHit {
  id: string;
  distanceM: number;
}
export interface NearbyPage {
  total: number;
  hits: NearbyHit[];
}
/** Longer band lists become one BETWEEN (a search that wide reads much of the index anyway). */
const MAX_BAND_LIST = 64;

/**
 * Finds open tasks and active collectors near a point. Each point is indexed under its latitude
 * band and longitude in one B-tree, which SQLite and PostgreSQL both serve from the index alone;
 * a search reads the bands its cap crosses, each over one or two longitude ranges, and keeps what
 * lies within both radii by haversine (ADR 0012).
 */
export class NearbyIndex {
  constructor(private readonly db: Db) {}

  async put(
    kind: NearbyKind,
    id: string,
    at: { lat: number; lon: number; radiusM: number },
    exec: Kysely<CloudDatabase> = this.db,
  ): Promise<void> {
    const row = { band: bandOf(at.lat), lon: normalLon(at.lon), lat: at.lat, radius_m: at.radiusM };
    await exec
      .insertInto('nearby_points')
      .values({ kind, id, ...row })
      .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet(row))
      .execute();
  }

  async remove(kind: NearbyKind, id: string, exec: Kysely<CloudDatabase> = this.db): Promise<void> {
    await exec.deleteFrom('nearby_points').where('kind', '=', kind).where('id', '=', id).execute();
  }

  /**
   * Points whose distance to (lat, lon) is within the query radius and within their own radius,
   * nearest first (ties by id), `limit` of them from `offset`; `total` counts all matches.
   */
  async search(
    kind: NearbyKind,
    q: { lat: number; lon: number; radiusM: number; offset?: number; limit?: number },
  ): Promise<NearbyPage> {
    const cover = coverCap(q.lat, q.lon, q.radiusM);
    const bands: number[] = [];
    for (let b = cover.bandLo; b <= cover.bandHi && bands.length <= MAX_BAND_LIST; b++) bands.push(b);
    const hits: NearbyHit[] = [];
    const seen = new Set<string>();
    for (const [from, to] of cover.lonRanges) {
      let query = this.db
        .selectFrom('nearby_points')
        .select(['id', 'lat', 'lon', 'radius_m'])
        .where('kind', '=', kind);
      query =
        bands.length > MAX_BAND_LIST
          ? query.where('band', '>=', cover.bandLo).where('band', '<=', cover.bandHi)
          : query.where('band', 'in', bands);
      if (from > -180 || to < 180) query = query.where('lon', '>=', from).where('lon', '<=', to);
      for (const p of await query.execute()) {
        if (seen.has(p.id)) continue;
        const d = haversineMetres(q.lat, q.lon, p.lat, p.lon);
        if (d <= q.radiusM && d <= p.radius_m) {
          seen.add(p.id);
          hits.push({ id: p.id, distanceM: d });
        }
      }
    }
    hits.sort((a, b) => a.distanceM - b.distanceM || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const offset = q.offset ?? 0;
    return { total: hits.length, hits: hits.slice(offset, offset + (q.limit ?? 50)) };
  }

  /** The same answer by reading every point of the kind: the bench's baseline and nothing else. */
  async searchByFullScan(
    kind: NearbyKind,
    q: { lat: number; lon: number; radiusM: number },
  ): Promise<number> {
    const rows = await this.db
      .selectFrom('nearby_points')
      .select(['lat', 'lon', 'radius_m'])
      .where('kind', '=', kind)
      .execute();
    let n = 0;
    for (const p of rows) {
      const d = haversineMetres(q.lat, q.lon, p.lat, p.lon);
      if (d <= q.radiusM && d <= p.radius_m) n++;
    }
    return n;
  }
}
