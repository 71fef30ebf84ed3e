import { type Kysely, sql } from 'kysely';

const VECTOR_COLUMNS = ['ux', 'uy', 'uz', 'reach_cos'] as const;
const EARTH_RADIUS_M = 6_371_008.8;
const MARGIN_RAD = 10 / EARTH_RADIUS_M;

function reachClass(radiusM: number): number {
  let k = Math.max(0, Math.ceil(Math.log2(radiusM / 1000)));
  while (k < 15 && 1000 * 2 ** k < radiusM) k++;
  return Math.min(k, 15);
}

/** As tasks/geo.ts computes them today, frozen here so this migration never changes. */
function vectorColumns(lat: number, lon: number, radiusM: number) {
  const [la, lo] = [(lat * Math.PI) / 180, (lon * Math.PI) / 180];
  const angle = radiusM / EARTH_RADIUS_M + MARGIN_RAD;
  return {
    ux: Math.cos(la) * Math.cos(lo),
    uy: Math.cos(la) * Math.sin(lo),
    uz: Math.sin(la),
    reach_cos: angle >= Math.PI ? -2 : Math.cos(angle),
    reach_class: reachClass(radiusM),
  };
}

/**
 * Each indexed point also keeps its unit vector and the cosine of its reach, so a nearby search
 * drops what is out of either radius inside the database with plain arithmetic (both SQLite and
 * PostgreSQL) and only matches travel to the process; and its reach class (radius up to 1 km * 2^k),
 * the index's first key after the kind, so a search reads a small cap for points of small reach
 * (ADR 0012).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of VECTOR_COLUMNS) {
    await db.schema
      .alterTable('nearby_points')
      .addColumn(column, 'double precision', (c) => c.notNull().defaultTo(0))
      .execute();
  }
  await db.schema
    .alterTable('nearby_points')
    .addColumn('reach_class', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  const rows = await sql<{ kind: string; id: string; lat: number; lon: number; radius_m: number }>`
    select kind, id, lat, lon, radius_m from nearby_points`.execute(db);
  for (const r of rows.rows) {
    const v = vectorColumns(r.lat, r.lon, r.radius_m);
    await sql`update nearby_points set ux = ${v.ux}, uy = ${v.uy}, uz = ${v.uz}, reach_cos = ${v.reach_cos},
      reach_class = ${v.reach_class} where kind = ${r.kind} and id = ${r.id}`.execute(db);
  }
  await db.schema.dropIndex('nearby_points_cell').execute();
  // Covering: the search reads the index only, never the table.
  await db.schema
    .createIndex('nearby_points_cell')
    .on('nearby_points')
    .columns(['kind', 'reach_class', 'band', 'lon', 'ux', 'uy', 'uz', 'reach_cos', 'lat', 'radius_m', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('nearby_points_cell').execute();
  for (const column of VECTOR_COLUMNS)
    await db.schema.alterTable('nearby_points').dropColumn(column).execute();
  await db.schema
    .createIndex('nearby_points_cell')
    .on('nearby_points')
    .columns(['kind', 'band', 'lon', 'lat', 'radius_m', 'id'])
    .execute();
}
