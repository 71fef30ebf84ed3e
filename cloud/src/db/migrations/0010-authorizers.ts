import type { Kysely } from 'kysely';

/**
 * Third-party authorizers (the patent's method 2, ADR 0016): the registry with each authorizer's
 * secret sealed, the holders' requests, the durable queue of webhooks to authorizers, the
 * signatures seen inside the replay window, and the authorizer's number on the grants it made.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('authorizers')
    .addColumn('no', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    // After a rotation the old secret still verifies the authorizer's messages until then.
    .addColumn('previous_secret_sealed', 'text')
    .addColumn('previous_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('authorization_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('holder_id', 'text', (c) => c.notNull())
    .addColumn('site_no', 'text', (c) => c.notNull())
    .addColumn('box_no', 'text', (c) => c.notNull())
    .addColumn('size', 'text', (c) => c.notNull())
    .addColumn('authorizer_no', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    // `site/box` while the request is open, null once closed: NULLs never collide in a unique
    // index on either dialect, so this is "one open request per box", atomically.
    .addColumn('open_box', 'text')
    .addColumn('grantee_id', 'text')
    .addColumn('grant_id', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('authorization_requests_open_box')
    .on('authorization_requests')
    .column('open_box')
    .unique()
    .execute();
  await db.schema
    .createIndex('authorization_requests_holder')
    .on('authorization_requests')
    .columns(['holder_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('authorization_requests_due')
    .on('authorization_requests')
    .columns(['state', 'expires_at'])
    .execute();

  await db.schema
    .createTable('authorizer_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('authorizer_no', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('failed_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('authorizer_deliveries_due')
    .on('authorizer_deliveries')
    .columns(['sent_at', 'failed_at', 'next_attempt_at'])
    .execute();

  await db.schema
    .createTable('authorizer_signatures')
    .addColumn('authorizer_no', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('authorizer_signatures_pk', ['authorizer_no', 'signature'])
    .execute();
  await db.schema
    .createIndex('authorizer_signatures_expiry')
    .on('authorizer_signatures')
    .column('expires_at')
    .execute();

  await db.schema.alterTable('box_grants').addColumn('authorizer_no', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('box_grants').dropColumn('authorizer_no').execute();
  for (const t of [
    'authorizer_signatures',
    'authorizer_deliveries',
    'authorization_requests',
    'authorizers',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
