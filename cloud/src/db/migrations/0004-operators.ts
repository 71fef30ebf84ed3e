import type { Kysely } from 'kysely';

/**
 * Operators (issue 13): accounts with roles and their bearer tokens, the audit log of what they did,
 * and per cabinet its box layout (the only box topics its broker account may publish) and whether
 * the whole cabinet is out of service.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  /** JSON array of box numbers; null: the default layout of broker.limits.defaultBoxCount. */
  await db.schema.alterTable('cabinets').addColumn('boxes', 'text').execute();
  await db.schema
    .alterTable('cabinets')
    .addColumn('out_of_service', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('operators')
    .addColumn('username', 'text', (c) => c.primaryKey())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .execute();

  await db.schema
    .createTable('operator_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().references('operators.username').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('operator_tokens_username').on('operator_tokens').column('username').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('cabinet_id', 'text')
    .addColumn('box_no', 'text')
    .addColumn('reason', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('transaction', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  await db.schema.createIndex('audit_log_transaction').on('audit_log').column('transaction').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['audit_log', 'operator_tokens', 'operators']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await db.schema.alterTable('cabinets').dropColumn('out_of_service').execute();
  await db.schema.alterTable('cabinets').dropColumn('boxes').execute();
}
