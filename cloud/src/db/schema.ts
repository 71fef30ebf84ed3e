import type { ColumnType } from 'kysely';

/**
 * Table shapes of the cloud database. Times are ISO-8601 text and JSON is text, so one set of
 * migrations serves SQLite and PostgreSQL alike (ADR 0003).
 */
export interface CabinetsTable {
  id: string;
  name: string;
  status: 'online' | 'offline' | 'unknown';
  status_at: string | null;
  /** Highest event seq applied without gaps. */
  applied_seq: ColumnType<number, number | undefined, number>;
  created_at: string;
}

export interface BoxStatesTable {
  cabinet_id: string;
  box_no: string;
  size: string | null;
  door: string;
  lock: string;
  occupancy: string;
  usage: string;
  since: string;
  updated_at: string;
}

export interface CabinetEventsTable {
  id: string;
  cabinet_id: string;
  seq: number;
  type: string;
  at: string;
  data: string;
  received_at: string;
}

export interface CommandsTable {
  transaction: string;
  cabinet_id: string;
  op: string;
  params: string;
  status: 'sent' | 'ok' | 'error' | 'timeout';
  requested_by: string | null;
  result: string | null;
  created_at: string;
  completed_at: string | null;
}

/** Broker accounts: one per cabinet, one for the cloud service, and operator roles. */
export interface MqttAccountsTable {
  username: string;
  password_hash: string;
  role: 'cabinet' | 'operator' | 'viewer';
  cabinet_id: string | null;
  created_at: string;
  disabled: ColumnType<number, number | undefined, number>;
}

export interface CloudDatabase {
  cabinets: CabinetsTable;
  box_states: BoxStatesTable;
  cabinet_events: CabinetEventsTable;
  commands: CommandsTable;
  mqtt_accounts: MqttAccountsTable;
}
