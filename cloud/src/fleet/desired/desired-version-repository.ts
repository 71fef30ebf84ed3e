import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import { type AfterCommit, GroupCommit } from '../../db/group-commit.js';
import type { CloudDatabase } from '../../db/schema.js';

export type Tx = Transaction<CloudDatabase>;
export type Executor = Db | Tx;

/** The desired-state version of each cabinet: it only grows, one step per change. */
export class DesiredVersionRepository {
  constructor(
    private readonly db: Db,
    private readonly units: GroupCommit = new GroupCommit(db, false),
  ) {}

  async current(cabinetId: string, db: Executor = this.db): Promise<number> {
    const row = await db
      .selectFrom('desired_versions')
      .select('version')
      .where('cabinet_id', '=', cabinetId)
      .executeTakeFirst();
    return row ? Number(row.version) : 0;
  }

  /**
   * Runs `work` and the version bump as one unit of work, so a change and the version that announces
   * it are committed together or not at all (with other units in the same commit on SQLite).
   */
  async change<T>(
    cabinetId: string,
    work: (trx: Tx, commit: AfterCommit) => Promise<T>,
  ): Promise<{ version: number; result: T }> {
    return this.units.run(async (trx, commit) => {
      // One statement: on PostgreSQL the row lock it takes orders concurrent changes of a cabinet,
      // so two of them never announce the same version.
      const row = await trx
        .insertInto('desired_versions')
        .values({ cabinet_id: cabinetId, version: 1 })
        .onConflict((oc) =>
          oc.column('cabinet_id').doUpdateSet({ version: sql<number>`desired_versions.version + 1` }),
        )
        .returning('version')
        .executeTakeFirstOrThrow();
      return { version: Number(row.version), result: await work(trx, commit) };
    });
  }

  /** Moves the version to `version` (a cabinet restored ahead of the cloud's backup). */
  async jumpTo(cabinetId: string, version: number): Promise<void> {
    await this.set(this.db, cabinetId, version);
  }

  private async set(db: Executor, cabinetId: string, version: number): Promise<void> {
    await db
      .insertInto('desired_versions')
      .values({ cabinet_id: cabinetId, version })
      .onConflict((oc) => oc.column('cabinet_id').doUpdateSet({ version }))
      .execute();
  }
}
