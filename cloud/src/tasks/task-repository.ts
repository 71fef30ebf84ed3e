import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { CloudDatabase, TaskAdjustmentsTable, TasksTable } from '../db/schema.js';

export type TaskRow = Selectable<TasksTable>;
export type AdjustmentRow = Selectable<TaskAdjustmentsTable>;
type Exec = Kysely<CloudDatabase>;

/** Tasks and their price adjustments. Every change is conditional on the row's version. */
export class TaskRepository {
  constructor(private readonly db: Db) {}

  async insert(row: TaskRow, exec: Exec = this.db): Promise<void> {
    await exec.insertInto('tasks').values(row).execute();
  }

  async find(id: string, exec: Exec = this.db): Promise<TaskRow | undefined> {
    return exec.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Applies `patch` if the row is still at `version`; false when someone else changed it first. */
  async update(
    id: string,
    version: number,
    patch: Partial<Omit<TaskRow, 'id' | 'version'>>,
    exec: Exec = this.db,
  ): Promise<boolean> {
    const res = await exec
      .updateTable('tasks')
      .set({ ...patch, version: version + 1 })
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async adjustments(taskId: string, exec: Exec = this.db): Promise<AdjustmentRow[]> {
    return exec
      .selectFrom('task_adjustments')
      .selectAll()
      .where('task_id', '=', taskId)
      .orderBy('n')
      .execute();
  }

  async addAdjustment(row: Omit<AdjustmentRow, 'n'>, exec: Exec = this.db): Promise<void> {
    const last = await exec
      .selectFrom('task_adjustments')
      .select((eb) => eb.fn.max('n').as('n'))
      .where('task_id', '=', row.task_id)
      .executeTakeFirst();
    await exec
      .insertInto('task_adjustments')
      .values({ ...row, n: Number(last?.n ?? 0) + 1 })
      .execute();
  }

  async userExists(userId: string, exec: Exec = this.db): Promise<boolean> {
    return !!(await exec.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst());
  }

  async cabinetExists(cabinetId: string, exec: Exec = this.db): Promise<boolean> {
    return !!(await exec.selectFrom('cabinets').select('id').where('id', '=', cabinetId).executeTakeFirst());
  }

  /** The tasks a user published or collects, newest first. */
  async ofUser(userId: string, exec: Exec = this.db): Promise<TaskRow[]> {
    return exec
      .selectFrom('tasks')
      .selectAll()
      .where((eb) => eb.or([eb('publisher_id', '=', userId), eb('collector_id', '=', userId)]))
      .where('state', '!=', 'deleted')
      .orderBy('created_at', 'desc')
      .limit(200)
      .execute();
  }
}
