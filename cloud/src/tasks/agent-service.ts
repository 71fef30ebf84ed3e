import { LockerError } from '@locker/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { AgentsTable, CloudDatabase } from '../db/schema.js';
import type { NearbyIndex } from './nearby-index.js';
import type { AgentInput, NearbyQuery } from './task-fields.js';
import { newAgentId } from './task-ids.js';

type AgentRow = Selectable<AgentsTable>;

export interface AgentView {
  id: string;
  userId: string;
  dd: string;
  ew: number;
  ns: number;
  r: number;
  state: AgentsTable['state'];
  updatedAt: string;
}

const view = (a: AgentRow): AgentView => ({
  id: a.id,
  userId: a.user_id,
  dd: a.description,
  ew: a.ew,
  ns: a.ns,
  r: a.radius_m,
  state: a.state,
  updatedAt: a.updated_at,
});

/**
 * "Available to collect" statuses (Dingo §2.7-2.9): a person says where they are and how far they
 * would go. Active ones are in the nearby index; finished (FIN) and deleted (DEL) ones are not.
 */
export class AgentService {
  constructor(
    private readonly db: Db,
    private readonly index: NearbyIndex,
  ) {}

  /** Adds a status, or changes the caller's own `did`. */
  async save(actor: string, did: string | undefined, input: AgentInput): Promise<AgentView> {
    const at = new Date().toISOString();
    const fields = { description: input.dd, ew: input.ew, ns: input.ns, radius_m: input.r, updated_at: at };
    const row = await this.db.transaction().execute(async (trx) => {
      let a: AgentRow;
      if (did === undefined) {
        a = { id: newAgentId(actor), user_id: actor, state: 'active', created_at: at, ...fields };
        await trx.insertInto('agents').values(a).execute();
      } else {
        const old = await this.own(actor, did, trx);
        if (old.state !== 'active') {
          throw new LockerError('INVALID_TRANSITION', 'a finished status cannot change; add a new one');
        }
        a = { ...old, ...fields };
        await trx.updateTable('agents').set(fields).where('id', '=', did).execute();
      }
      await this.index.put('agent', a.id, { lat: a.ns, lon: a.ew, radiusM: a.radius_m }, trx);
      return a;
    });
    return view(row);
  }

  /** opt=FIN: the status is done (it stays readable); opt=DEL: it is gone. */
  async end(actor: string, did: string, opt: 'FIN' | 'DEL'): Promise<AgentView> {
    return this.db.transaction().execute(async (trx) => {
      const a = await this.own(actor, did, trx);
      if (opt === 'FIN' && a.state !== 'active') {
        throw new LockerError('INVALID_TRANSITION', 'this status is already finished');
      }
      const state = opt === 'FIN' ? 'finished' : 'deleted';
      const updated_at = new Date().toISOString();
      await trx.updateTable('agents').set({ state, updated_at }).where('id', '=', did).execute();
      await this.index.remove('agent', did, trx);
      return view({ ...a, state, updated_at });
    });
  }

  async get(actor: string, did: string): Promise<AgentView> {
    return view(await this.own(actor, did, this.db));
  }

  async mine(actor: string): Promise<AgentView[]> {
    const rows = await this.db
      .selectFrom('agents')
      .selectAll()
      .where('user_id', '=', actor)
      .where('state', '!=', 'deleted')
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(view);
  }

  /** Active statuses whose range covers the point and that lie within the query radius. */
  async nearby(q: NearbyQuery): Promise<{ total: number; agents: Array<AgentView & { distanceM: number }> }> {
    const page = await this.index.search('agent', {
      lat: q.ns,
      lon: q.ew,
      radiusM: q.r,
      offset: q.offset,
      limit: q.limit,
    });
    if (page.hits.length === 0) return { total: page.total, agents: [] };
    const rows = await this.db
      .selectFrom('agents')
      .selectAll()
      .where(
        'id',
        'in',
        page.hits.map((h) => h.id),
      )
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const agents = page.hits.flatMap((h) => {
      const r = byId.get(h.id);
      return r ? [{ ...view(r), distanceM: h.distanceM }] : [];
    });
    return { total: page.total, agents };
  }

  private async own(actor: string, did: string, exec: Kysely<CloudDatabase>): Promise<AgentRow> {
    const a = await exec.selectFrom('agents').selectAll().where('id', '=', did).executeTakeFirst();
    if (!a || a.state === 'deleted') throw new LockerError('AGENT_NOT_FOUND', `no collector status ${did}`);
    if (a.user_id !== actor) throw new LockerError('NOT_A_PARTY', 'this collector status is not yours');
    return a;
  }
}
