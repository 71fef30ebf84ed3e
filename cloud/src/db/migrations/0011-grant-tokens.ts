import { type Kysely, sql } from 'kysely';

/**
 * Signed grant tokens (issue 9, ADR 0017): the cloud's Ed25519 signing keys (the private half
 * sealed with the server key, never in the clear) and the grants revoked while tokens of theirs
 * could still be valid. At most one key is active: a partial unique index, so two processes that
 * create the first key at once cannot both succeed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('grant_signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_sealed', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('accept_until', 'text')
    .execute();
  await db.schema
    .createIndex('grant_signing_keys_one_active')
    .on('grant_signing_keys')
    .column('state')
    .unique()
    .where(sql.ref('state'), '=', 'active')
    .execute();

  await db.schema
    .createTable('revoked_grants')
    .addColumn('grant_id', 'text', (c) => c.primaryKey())
    .addColumn('site_no', 'text', (c) => c.notNull())
    .addColumn('until', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('revoked_grants_site')
    .on('revoked_grants')
    .columns(['site_no', 'until'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('revoked_grants').execute();
  await db.schema.dropTable('grant_signing_keys').execute();
}
