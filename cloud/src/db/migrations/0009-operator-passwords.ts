import type { Kysely } from 'kysely';

/**
 * Operators log in with a name and password (issue 13): only the scrypt hash is stored, as for
 * users. Null for accounts made before this migration: an admin issues them a password with
 * POST /v1/admin/operators/{username}/credentials.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('operators').addColumn('password_hash', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('operators').dropColumn('password_hash').execute();
}
