import type { BoardSimulator } from '@locker/lockboard';
import Database from 'better-sqlite3';

export interface OutboxRow {
  seq: number;
  id: string;
  type: string;
  data: string;
}

/** What the harness checks after every power cut, read straight from the cabinet's database file. */
export interface CabinetFacts {
  outbox: OutboxRow[];
  boxes: Array<{ box_no: string; lock: number; door: string; occupancy: string; usage: string }>;
  parcels: Array<{ parcel_id: string; state: string; box_no: string }>;
}

export function readFacts(file: string): CabinetFacts {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const outbox = db.prepare('SELECT seq, id, type, data FROM outbox ORDER BY seq').all() as OutboxRow[];
    const boxes = db
      .prepare('SELECT box_no, lock, door, occupancy, usage FROM boxes ORDER BY box_no')
      .all() as CabinetFacts['boxes'];
    const parcels = db
      .prepare('SELECT parcel_id, state, box_no FROM parcels')
      .all() as CabinetFacts['parcels'];
    return { outbox, boxes, parcels };
  } finally {
    db.close();
  }
}

/** No event lost or duplicated: seq runs 1..n without gaps, ids are unique, and every event seen before is still there. */
export function checkOutbox(facts: CabinetFacts, seen: Map<number, string>): string[] {
  const problems: string[] = [];
  facts.outbox.forEach((e, i) => {
    if (e.seq !== i + 1) problems.push(`seq gap: position ${i + 1} holds seq ${e.seq}`);
  });
  if (new Set(facts.outbox.map((e) => e.id)).size !== facts.outbox.length)
    problems.push('duplicate event id');
  const bySeq = new Map(facts.outbox.map((e) => [e.seq, e.id]));
  for (const [seq, id] of seen) if (bySeq.get(seq) !== id) problems.push(`event seq ${seq} lost or changed`);
  for (const e of facts.outbox) seen.set(e.seq, e.id);
  const once = (type: string) => {
    const ids = facts.outbox
      .filter((e) => e.type === type)
      .map((e) => (JSON.parse(e.data) as { parcelId: string }).parcelId);
    if (new Set(ids).size !== ids.length) problems.push(`a ${type} event is duplicated`);
  };
  once('parcel.deposited');
  once('parcel.picked_up');
  return problems;
}

/** After the restart reconciliation the stored doors and occupancy equal the simulator's physical state. */
export function checkPhysical(facts: CabinetFacts, sim: BoardSimulator, board: number): string[] {
  const problems: string[] = [];
  for (const b of facts.boxes) {
    const p = sim.state(board, b.lock);
    const occ = p.occupied ? 'occupied' : 'empty';
    if (b.door !== p.door || b.occupancy !== occ) {
      problems.push(`box ${b.box_no}: stored ${b.door}/${b.occupancy}, physical ${p.door}/${occ}`);
    }
  }
  return problems;
}
