import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** A throwaway database on the suite's PostgreSQL cluster (started by the vitest global setup). */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.LOCKER_TEST_PG_URL;
  if (!base) throw new Error('LOCKER_TEST_PG_URL is not set (the vitest global setup starts PostgreSQL)');
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
