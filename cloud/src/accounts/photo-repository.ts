import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import type { ProfilePhoto } from './profile-photo.js';

/** One photo per user (verification photo = avatar), kept as base64 text for SQLite/PostgreSQL alike. */
export class PhotoRepository {
  constructor(private readonly db: Db) {}

  async put(userId: string, photo: ProfilePhoto): Promise<void> {
    const values = {
      content_type: photo.contentType,
      data_base64: photo.data.toString('base64'),
      updated_at: nowIso(),
    };
    await this.db
      .insertInto('user_photos')
      .values({ user_id: userId, ...values })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
      .execute();
  }

  async find(userId: string): Promise<{ contentType: string; data: Buffer } | undefined> {
    const row = await this.db
      .selectFrom('user_photos')
      .select(['content_type', 'data_base64'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? { contentType: row.content_type, data: Buffer.from(row.data_base64, 'base64') } : undefined;
  }
}
