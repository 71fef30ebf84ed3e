import type { Kysely } from 'kysely';

/** What each cabinet should hold to serve people offline: courier credentials and box settings. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('desired_versions')
    .addColumn('cabinet_id', 'text', (c) => c.primaryKey().references('cabinets.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('desired_couriers')
    .addColumn('cabinet_id', 'text', (c) => c.notNull().references('cabinets.id').onDelete('cascade'))
    .addColumn('courier_id', 'text', (c) => c.notNull())
    /** The CourierCredentialDoc as JSON: names and the PIN's scrypt verifier, never the PIN. */
    .addColumn('doc', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('desired_couriers_pk', ['cabinet_id', 'courier_id'])
    .execute();
  await db.schema
    .createTable('desired_box_settings')
    .addColumn('cabinet_id', 'text', (c) => c.notNull().references('cabinets.id').onDelete('cascade'))
    .addColumn('box_no', 'text', (c) => c.notNull())
    .addColumn('out_of_service', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('desired_box_settings_pk', ['cabinet_id', 'box_no'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['desired_box_settings', 'desired_couriers', 'desired_versions']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
