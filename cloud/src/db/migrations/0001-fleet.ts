import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cabinets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('unknown'))
    .addColumn('status_at', 'text')
    .addColumn('applied_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('box_states')
    .addColumn('cabinet_id', 'text', (c) => c.notNull().references('cabinets.id').onDelete('cascade'))
    .addColumn('box_no', 'text', (c) => c.notNull())
    .addColumn('size', 'text')
    .addColumn('door', 'text', (c) => c.notNull())
    .addColumn('lock', 'text', (c) => c.notNull())
    .addColumn('occupancy', 'text', (c) => c.notNull())
    .addColumn('usage', 'text', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('box_states_pk', ['cabinet_id', 'box_no'])
    .execute();

  await db.schema
    .createTable('cabinet_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cabinet_id', 'text', (c) => c.notNull().references('cabinets.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('cabinet_events_seq')
    .on('cabinet_events')
    .columns(['cabinet_id', 'seq'])
    .unique()
    .execute();

  await db.schema
    .createTable('commands')
    .addColumn('transaction', 'text', (c) => c.primaryKey())
    .addColumn('cabinet_id', 'text', (c) => c.notNull())
    .addColumn('op', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text')
    .addColumn('result', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();

  await db.schema
    .createTable('mqtt_accounts')
    .addColumn('username', 'text', (c) => c.primaryKey())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('mosquitto_hash', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('cabinet_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['mqtt_accounts', 'commands', 'cabinet_events', 'box_states', 'cabinets']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
