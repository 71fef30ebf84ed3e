import type { Size } from './task-fields.js';
import type { AdjustmentRow, TaskRow } from './task-repository.js';
import type { TaskState } from './task-state.js';

export interface Adjustment {
  party: 'A' | 'B';
  userId: string;
  delta: number;
  at: string;
  round: number;
  /** True when its round was abandoned (c=False) or ended by the collector stepping back. */
  abandoned: boolean;
}

/** A task as both APIs show it; the Dingo layer renames the fields to the document's names. */
export interface TaskView {
  id: string;
  state: TaskState;
  publisherId: string;
  collectorId: string | null;
  ew: number;
  ns: number;
  r: number;
  wei: number;
  size: Size;
  note: string | null;
  intr: string | null;
  /** The published price in fen. */
  cost: number;
  /** cost plus the current round's adjustments, in fen. */
  price: number;
  costA: number[];
  costB: number[];
  adjustments: Adjustment[];
  /** The box of the locker hand-over, and the live grant of it to the collector (ADR 0012). */
  handover: { cabinetId: string; boxNo: string; kind: 'pickup' | 'deposit'; grantId: string | null } | null;
  paidAt: string | null;
  confirmedByPublisherAt: string | null;
  confirmedByCollectorAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function taskView(t: TaskRow, adjustments: AdjustmentRow[], grantId: string | null = null): TaskView {
  const current = adjustments.filter((a) => a.round === t.round);
  return {
    id: t.id,
    state: t.state,
    publisherId: t.publisher_id,
    collectorId: t.collector_id,
    ew: t.ew,
    ns: t.ns,
    r: t.radius_m,
    wei: t.weight_kg,
    size: { x: t.size_x, y: t.size_y, z: t.size_z },
    note: t.note,
    intr: t.intr,
    cost: t.cost,
    price: t.price,
    costA: current.filter((a) => a.party === 'A').map((a) => a.delta),
    costB: current.filter((a) => a.party === 'B').map((a) => a.delta),
    adjustments: adjustments.map((a) => ({
      party: a.party,
      userId: a.user_id,
      delta: a.delta,
      at: a.at,
      round: a.round,
      abandoned: a.round < t.round,
    })),
    handover:
      t.cabinet_id && t.box_no
        ? { cabinetId: t.cabinet_id, boxNo: t.box_no, kind: t.handover ?? 'pickup', grantId }
        : null,
    paidAt: t.paid_at,
    confirmedByPublisherAt: t.confirmed_a_at,
    confirmedByCollectorAt: t.confirmed_b_at,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
  };
}
