import { type Kysely, sql } from 'kysely';

/**
 * The patent's records (issue 8, ADR 0014): sites and their boxes with holders, users' status,
 * reservations (empty-box rights) with a per-user count for the quota, grants handed on by
 * holders, and the append-only timeline. Access codes rest only as scrypt verifiers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('normal'))
    .execute();

  await db.schema
    .createTable('sites')
    .addColumn('site_no', 'text', (c) => c.primaryKey().references('cabinets.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('lat', 'double precision')
    .addColumn('lon', 'double precision')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('site_boxes')
    .addColumn('site_no', 'text', (c) => c.notNull().references('sites.site_no').onDelete('cascade'))
    .addColumn('box_no', 'text', (c) => c.notNull())
    .addColumn('size', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('holder_id', 'text')
    .addColumn('depositor', 'text')
    .addColumn('parcel_no', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('site_boxes_pk', ['site_no', 'box_no'])
    .execute();
  // A reservation looks for a free box of a size at a site: this index answers it alone.
  await db.schema
    .createIndex('site_boxes_free')
    .on('site_boxes')
    .columns(['site_no', 'size', 'status'])
    .execute();
  await db.schema.createIndex('site_boxes_holder').on('site_boxes').column('holder_id').execute();

  await db.schema
    .createTable('reservations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('site_no', 'text', (c) => c.notNull())
    .addColumn('box_no', 'text', (c) => c.notNull())
    .addColumn('size', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('verifier', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema.createIndex('reservations_user').on('reservations').columns(['user_id', 'state']).execute();
  await db.schema.createIndex('reservations_due').on('reservations').columns(['state', 'ends_at']).execute();
  await db.schema
    .createIndex('reservations_box')
    .on('reservations')
    .columns(['site_no', 'box_no', 'state'])
    .execute();

  // The quota is counted with a conditional UPDATE (n < limit), atomic on both dialects.
  await db.schema
    .createTable('reservation_counts')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('active', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('box_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('site_no', 'text', (c) => c.notNull())
    .addColumn('box_no', 'text', (c) => c.notNull())
    .addColumn('holder_id', 'text', (c) => c.notNull())
    .addColumn('grantee_id', 'text', (c) => c.notNull())
    .addColumn('reservation_id', 'text')
    .addColumn('parcel_no', 'text')
    .addColumn('verifier', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .execute();
  // One live grant per box: the second authorization of a box fails here, atomically.
  await db.schema
    .createIndex('box_grants_one_active')
    .on('box_grants')
    .columns(['site_no', 'box_no'])
    .unique()
    .where(sql.ref('state'), '=', 'active')
    .execute();
  await db.schema.createIndex('box_grants_holder').on('box_grants').column('holder_id').execute();
  await db.schema.createIndex('box_grants_grantee').on('box_grants').column('grantee_id').execute();
  await db.schema.createIndex('box_grants_due').on('box_grants').columns(['state', 'expires_at']).execute();

  await db.schema
    .createTable('timeline_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('site_no', 'text')
    .addColumn('box_no', 'text')
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('holder_id', 'text')
    .addColumn('grantee_id', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema
    .createIndex('timeline_box')
    .on('timeline_entries')
    .columns(['site_no', 'box_no', 'id'])
    .execute();
  await db.schema
    .createIndex('timeline_subject')
    .on('timeline_entries')
    .columns(['subject_kind', 'subject_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'timeline_entries',
    'box_grants',
    'reservation_counts',
    'reservations',
    'site_boxes',
    'sites',
  ]) {
    await db.schema.dropTable(t).execute();
  }
  await db.schema.alterTable('users').dropColumn('status').execute();
}
