import { type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { CloudDatabase, NearbyPointsTable } from '../db/schema.js';
import {
  bandOf,
  classReachM,
  coverCap,
  haversineMetres,
  MAX_REACH_CLASS,
  normalLon,
  reachClassOf,
  reachCos,
  unitVector,
} from './geo.js';

export type NearbyKind = 'task' | 'agent';
export interface NearbyHit {
  id: string;
  distanceM: number;
}
export interface NearbyPage {
  total: number;
  hits: NearbyHit[];
}
/** A point as the index stores it: band, normal longitude, unit vector and reach. */
export function nearbyRow(
  kind: NearbyKind,
  id: string,
  at: { lat: number; lon: number; radiusM: number },
): Selectable<NearbyPointsTable> {
  const lon = normalLon(at.lon);
  const [ux, uy, uz] = unitVector(at.lat, lon);
  return {
    kind,
    id,
    band: bandOf(at.lat),
    lon,
    lat: at.lat,
    radius_m: at.radiusM,
    ux,
    uy,
    uz,
    reach_cos: reachCos(at.radiusM),
    reach_class: reachClassOf(at.radiusM),
  };
}

/** Longer band lists become one BETWEEN (a search that wide reads much of the index anyway). */
const MAX_BAND_LIST = 64;

/**
 * Finds open tasks and active collectors near a point. Each point is indexed under its latitude
 * band and longitude in one B-tree, which SQLite and PostgreSQL both serve from the index alone;
 * a search reads the bands its cap crosses, each over one or two longitude ranges, with a smaller
 * cap for points whose own radius is smaller than the query's (reach classes). The database
 * drops what is out of either radius by a dot product of unit vectors (with a 10 m margin), and
 * the process keeps what lies within both by haversine (ADR 0012).
 */
export class NearbyIndex {
  constructor(private readonly db: Db) {}

  async put(
    kind: NearbyKind,
    id: string,
    at: { lat: number; lon: number; radiusM: number },
    exec: Kysely<CloudDatabase> = this.db,
  ): Promise<void> {
    const { kind: _k, id: _i, ...row } = nearbyRow(kind, id, at);
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
    const within = withinBoth(q);
    const hits: NearbyHit[] = [];
    const seen = new Set<string>();
    for (const group of reachGroups(q.radiusM)) {
      const cover = coverCap(q.lat, q.lon, group.capM);
      const bands: number[] = [];
      for (let b = cover.bandLo; b <= cover.bandHi && bands.length <= MAX_BAND_LIST; b++) bands.push(b);
      for (const [from, to] of cover.lonRanges) {
        let query = this.db
          .selectFrom('nearby_points')
          .select(['id', 'lat', 'lon', 'radius_m'])
          .where('kind', '=', kind)
          .where('reach_class', 'in', group.classes)
          .where(within);
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
    }
    hits.sort((a, b) => a.distanceM - b.distanceM || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const offset = q.offset ?? 0;
    return { total: hits.length, hits: hits.slice(offset, offset + (q.limit ?? 50)) };
  }

  /**
   * The same answer without the index's bands and longitudes: every point of the kind is read and
   * tested. The bench's baseline and nothing else.
   */
  async searchByFullScan(
    kind: NearbyKind,
    q: { lat: number; lon: number; radiusM: number },
  ): Promise<number> {
    const rows = await this.db
      .selectFrom('nearby_points')
      .select(['lat', 'lon', 'radius_m'])
      .where('kind', '=', kind)
      .where(withinBoth(q))
      .execute();
    let n = 0;
    for (const p of rows) {
      const d = haversineMetres(q.lat, q.lon, p.lat, p.lon);
      if (d <= q.radiusM && d <= p.radius_m) n++;
    }
    return n;
  }
}

/**
 * Which caps a search reads: a point of reach class k is at most 1 km * 2^k away from anyone who
 * finds it, so classes of smaller reach than the query radius each get their own smaller cap;
 * all the others share the query's.
 */
export function reachGroups(radiusM: number): Array<{ classes: number[]; capM: number }> {
  const groups: Array<{ classes: number[]; capM: number }> = [];
  const rest: number[] = [];
  for (let k = 0; k <= MAX_REACH_CLASS; k++) {
    if (classReachM(k) < radiusM) groups.push({ classes: [k], capM: classReachM(k) });
    else rest.push(k);
  }
  if (rest.length > 0) groups.push({ classes: rest, capM: radiusM });
  return groups;
}

/** The database's prefilter: within the query's reach of the point, and the point's of the query. */
function withinBoth(q: { lat: number; lon: number; radiusM: number }) {
  const [qx, qy, qz] = unitVector(q.lat, normalLon(q.lon));
  const dot = sql<number>`ux * ${qx} + uy * ${qy} + uz * ${qz}`;
  return sql<SqlBool>`${dot} >= ${reachCos(q.radiusM)} and ${dot} >= reach_cos`;
}
