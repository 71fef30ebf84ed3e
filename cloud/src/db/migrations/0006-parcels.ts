import type { Kysely } from 'kysely';

/**
 * Parcels in the cloud (issue 8, ADR 0013): announced by a courier or company, linked to the
 * cabinet's deposit event, followed to pickup, expiry or recollection. The pickup code exists here
 * only sealed to the cloud's key; outbound messages (SMS, push) keep it sealed until they are sent.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('parcels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('waybill', 'text')
    .addColumn('size', 'text')
    .addColumn('recipient_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('recipient_tel', 'text')
    .addColumn('announced_by', 'text', (c) => c.references('users.id'))
    .addColumn('cabinet_id', 'text', (c) => c.references('cabinets.id'))
    .addColumn('box_no', 'text')
    /** The cabinet's own parcel id (from its deposit event). */
    .addColumn('cabinet_parcel_id', 'text')
    .addColumn('depositor', 'text')
    /** JSON of the SealedCode from the deposit event; cleared once the parcel has left the box. */
    .addColumn('sealed_code', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deposited_at', 'text')
    .addColumn('notified_at', 'text')
    .addColumn('reminded_at', 'text')
    .addColumn('picked_up_at', 'text')
    .addColumn('expired_at', 'text')
    .addColumn('recollected_at', 'text')
    .execute();
  // Several NULLs are allowed by both dialects: only waybills that were given must be unique.
  await db.schema.createIndex('parcels_waybill').unique().on('parcels').column('waybill').execute();
  await db.schema
    .createIndex('parcels_cabinet_parcel')
    .unique()
    .on('parcels')
    .columns(['cabinet_id', 'cabinet_parcel_id'])
    .execute();
  await db.schema.createIndex('parcels_recipient_user').on('parcels').column('recipient_user_id').execute();
  await db.schema.createIndex('parcels_recipient_tel').on('parcels').column('recipient_tel').execute();
  await db.schema.createIndex('parcels_announced_by').on('parcels').column('announced_by').execute();
  // The sweep's scan: parcels still in a box, by expiry.
  await db.schema
    .createIndex('parcels_state_expiry')
    .on('parcels')
    .columns(['state', 'expires_at'])
    .execute();

  await db.schema
    .createTable('outbound_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    /** JSON; a pickup code in it is sealed (ADR 0013) and opened only as the message is sent. */
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('failed_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('outbound_messages_due')
    .on('outbound_messages')
    .columns(['sent_at', 'failed_at', 'next_attempt_at'])
    .execute();

  // The parcel catch-up reads parcel events in arrival order from where it stopped.
  await db.schema
    .createIndex('cabinet_events_type_received')
    .on('cabinet_events')
    .columns(['type', 'received_at', 'id'])
    .execute();
  await db.schema
    .createTable('worker_cursors')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('position', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('worker_cursors').ifExists().execute();
  await db.schema.dropIndex('cabinet_events_type_received').ifExists().execute();
  await db.schema.dropTable('outbound_messages').ifExists().execute();
  await db.schema.dropTable('parcels').ifExists().execute();
}
