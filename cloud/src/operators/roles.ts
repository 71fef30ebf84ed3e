import type { CommandOp } from '@locker/protocol';
import { z } from 'zod';

/**
 * Operator roles, each including the one before (ADR 0010):
 * - viewer: reads cabinets, boxes, desired state, the audit and command logs;
 * - operator: also opens boxes, takes boxes or whole cabinets out of service, clears alarms;
 * - admin: also registers cabinets, manages couriers, operator accounts and user verifications.
 */
export const OperatorRole = z.enum(['viewer', 'operator', 'admin']);
export type OperatorRole = z.infer<typeof OperatorRole>;

const rank: Record<OperatorRole, number> = { viewer: 0, operator: 1, admin: 2 };

export const roleAllows = (held: OperatorRole, needed: OperatorRole): boolean => rank[held] >= rank[needed];

/** The least role that may send each MQTT command; the broker ACL and the audit use the same table. */
export const commandRole: Record<CommandOp, OperatorRole> = {
  open_box: 'operator',
  set_out_of_service: 'operator',
  diagnostics: 'operator',
  clear_alarm: 'operator',
};

/** The name the config's `adminToken` acts under: a built-in admin for the first steps only. */
export const BOOTSTRAP_ACTOR = 'bootstrap';
