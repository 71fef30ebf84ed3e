import { randomUUID } from 'node:crypto';
import { SECRET_FIELDS } from '@locker/protocol';
import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import type { AuditLogTable } from '../db/schema.js';

export type AuditChannel = AuditLogTable['channel'];
export type AuditResult = AuditLogTable['result'];

export interface AuditEntryInput {
  actor: string;
  channel: AuditChannel;
  /** A stable name: `cabinet.create`, `box.open`, `command.open_box`, `operator.create`... */
  action: string;
  cabinetId?: string | null;
  boxNo?: string | null;
  reason?: string | null;
  result: AuditResult;
  errorCode?: string | null;
  transaction?: string | null;
  /** The action's parameters; secret fields are replaced before anything is stored. */
  detail?: unknown;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  channel: AuditChannel;
  action: string;
  cabinetId: string | null;
  boxNo: string | null;
  reason: string | null;
  result: AuditResult;
  errorCode: string | null;
  transaction: string | null;
  detail: unknown;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  cabinetId?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

const secret = new Set<string>(SECRET_FIELDS);

/** A copy with every secret field (the shared redaction list) replaced, at any depth. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, secret.has(k) ? '[redacted]' : withoutSecrets(v)]),
  );
}

/** Who did what to which cabinet and box, why, and how it ended: HTTP, MQTT and CLI alike. */
export class AuditLog {
  constructor(private readonly db: Db) {}

  async record(e: AuditEntryInput): Promise<string> {
    const id = randomUUID();
    await this.db
      .insertInto('audit_log')
      .values({
        id,
        at: nowIso(),
        actor: e.actor,
        channel: e.channel,
        action: e.action,
        cabinet_id: e.cabinetId ?? null,
        box_no: e.boxNo ?? null,
        reason: e.reason ?? null,
        result: e.result,
        error_code: e.errorCode ?? null,
        transaction: e.transaction ?? null,
        detail: e.detail === undefined ? null : JSON.stringify(withoutSecrets(e.detail)),
      })
      .execute();
    return id;
  }

  /** Settles the entry of a command sent over MQTT once the cabinet answers (or never does). */
  async finishCommand(transaction: string, result: AuditResult, errorCode: string | null): Promise<void> {
    await this.db
      .updateTable('audit_log')
      .set({ result, error_code: errorCode })
      .where('transaction', '=', transaction)
      .where('result', '=', 'sent')
      .execute();
  }

  /** Newest first; `limit` + `offset` page through the matches. */
  async list(q: AuditQuery): Promise<AuditEntry[]> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (q.actor) query = query.where('actor', '=', q.actor);
    if (q.action) query = query.where('action', '=', q.action);
    if (q.cabinetId) query = query.where('cabinet_id', '=', q.cabinetId);
    if (q.from) query = query.where('at', '>=', q.from);
    if (q.to) query = query.where('at', '<', q.to);
    const rows = await query
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      channel: r.channel,
      action: r.action,
      cabinetId: r.cabinet_id,
      boxNo: r.box_no,
      reason: r.reason,
      result: r.result,
      errorCode: r.error_code,
      transaction: r.transaction,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
    }));
  }
}
