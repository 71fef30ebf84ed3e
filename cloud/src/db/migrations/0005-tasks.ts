import type { Kysely } from 'kysely';

/**
 * Tasks ("collect my parcel for me"), collectors' statuses, the nearby index and the built-in
 * double-entry ledger (issue 10, ADR 0012). Coordinates are `double precision`: SQLite stores it
 * as REAL, PostgreSQL as float8 (not `real`, which is float4 and loses metres).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('publisher_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('collector_id', 'text', (c) => c.references('users.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('ew', 'double precision', (c) => c.notNull())
    .addColumn('ns', 'double precision', (c) => c.notNull())
    .addColumn('radius_m', 'double precision', (c) => c.notNull())
    .addColumn('weight_kg', 'double precision', (c) => c.notNull())
    .addColumn('size_x', 'double precision', (c) => c.notNull())
    .addColumn('size_y', 'double precision', (c) => c.notNull())
    .addColumn('size_z', 'double precision', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('intr', 'text')
    .addColumn('cost', 'integer', (c) => c.notNull())
    .addColumn('price', 'integer', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('last_offer_by', 'text')
    .addColumn('cabinet_id', 'text', (c) => c.references('cabinets.id'))
    .addColumn('box_no', 'text')
    .addColumn('handover', 'text')
    .addColumn('paid_at', 'text')
    .addColumn('confirmed_a_at', 'text')
    .addColumn('confirmed_b_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tasks_publisher').on('tasks').column('publisher_id').execute();
  await db.schema.createIndex('tasks_collector').on('tasks').column('collector_id').execute();

  await db.schema
    .createTable('task_adjustments')
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('party', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('delta', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_adjustments_pk', ['task_id', 'n'])
    .execute();

  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('ew', 'double precision', (c) => c.notNull())
    .addColumn('ns', 'double precision', (c) => c.notNull())
    .addColumn('radius_m', 'double precision', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agents_user').on('agents').column('user_id').execute();

  // Only what can be found is in the index: open tasks and active collectors (ADR 0012).
  await db.schema
    .createTable('nearby_points')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('band', 'integer', (c) => c.notNull())
    .addColumn('lon', 'double precision', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('radius_m', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('nearby_points_pk', ['kind', 'id'])
    .execute();
  // Covering: a search reads the index only, never the table.
  await db.schema
    .createIndex('nearby_points_cell')
    .on('nearby_points')
    .columns(['kind', 'band', 'lon', 'lat', 'radius_m', 'id'])
    .execute();

  await db.schema
    .createTable('ledger_balances')
    .addColumn('account', 'text', (c) => c.primaryKey())
    .addColumn('balance', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('ledger_transactions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    /** SHA-256 of what the key was first used for; the same key for something else is refused. */
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('ledger_entries')
    .addColumn('transaction_id', 'text', (c) => c.notNull().references('ledger_transactions.id'))
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_entries_pk', ['transaction_id', 'n'])
    .execute();
  await db.schema.createIndex('ledger_entries_account').on('ledger_entries').column('account').execute();
  await db.schema
    .createTable('ledger_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('payer', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('payee', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('settled_at', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'ledger_holds',
    'ledger_entries',
    'ledger_transactions',
    'ledger_balances',
    'nearby_points',
    'agents',
    'task_adjustments',
    'tasks',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
