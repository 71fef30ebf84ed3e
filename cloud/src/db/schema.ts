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
  /** JSON array of box numbers; null: the default layout (broker.limits.defaultBoxCount). */
  boxes: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1 while the whole cabinet is out of service (operators; the cabinet refuses people). */
  out_of_service: ColumnType<number, number | undefined, number>;
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
  /** The same secret in Mosquitto's `$7$` PBKDF2-SHA512 form, for an external broker's password file. */
  mosquitto_hash: string | null;
  role: 'cabinet' | 'operator' | 'viewer' | 'admin';
  cabinet_id: string | null;
  created_at: string;
  disabled: ColumnType<number, number | undefined, number>;
}

export type VerifyStatus = 'none' | 'pending' | 'passed' | 'rejected';

/** A person: holder, grantee, courier, task publisher or collector. Secrets are hashed or sealed. */
export interface UsersTable {
  id: string;
  name: string;
  tel: string | null;
  email: string | null;
  /** scrypt of the SHA-256 pash (never the pash itself). */
  password_hash: string;
  /** The pash sealed with AES-256-GCM; only the Dingo timestamped login needs it. */
  pash_sealed: string;
  real_name: string | null;
  prc_id_sealed: string | null;
  address: string | null;
  verify_status: ColumnType<VerifyStatus, VerifyStatus | undefined, VerifyStatus>;
  verify_note: string | null;
  verify_submitted_at: string | null;
  verify_decided_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface UserSessionsTable {
  /** SHA-256 hex of the bearer token; the token itself is never stored. */
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface UserPhotosTable {
  user_id: string;
  content_type: string;
  data_base64: string;
  updated_at: string;
}

export interface DeliveryAddressesTable {
  id: string;
  user_id: string;
  addr: string;
  zip: string;
  province: string | null;
  city: string | null;
  district: string | null;
  township: string | null;
  village: string | null;
  created_at: string;
  updated_at: string;
}

export interface UsedLoginHashesTable {
  hash: string;
  expires_at: string;
}

export interface NotificationsTable {
  id: string;
  user_id: string;
  kind: string;
  /** JSON text. */
  payload: string;
  created_at: string;
  acked_at: string | null;
}

export interface DesiredVersionsTable {
  cabinet_id: string;
  version: number;
}

export interface DesiredCouriersTable {
  cabinet_id: string;
  courier_id: string;
  doc: string;
  updated_at: string;
}

export interface DesiredBoxSettingsTable {
  cabinet_id: string;
  box_no: string;
  out_of_service: number;
  updated_at: string;
}

export type OperatorRole = 'viewer' | 'operator' | 'admin';

/** A person who runs the fleet; the username is also their broker account (ADR 0010). */
export interface OperatorsTable {
  username: string;
  role: OperatorRole;
  created_by: string;
  created_at: string;
  disabled_at: string | null;
  /** scrypt hash of the login password (0009); null until an admin issues one. */
  password_hash: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface OperatorTokensTable {
  /** SHA-256 hex of the bearer token; the token itself is never stored. */
  token_hash: string;
  username: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** Every state-changing operator action, over HTTP or MQTT, and how it ended. */
export interface AuditLogTable {
  id: string;
  at: string;
  actor: string;
  channel: 'http' | 'mqtt' | 'cli';
  action: string;
  cabinet_id: string | null;
  box_no: string | null;
  reason: string | null;
  result: 'ok' | 'error' | 'timeout' | 'sent';
  error_code: string | null;
  transaction: string | null;
  /** JSON text of the action's parameters (never a secret). */
  detail: string | null;
}

export type TaskStateName =
  | 'open'
  | 'linked'
  | 'bargaining'
  | 'agreed'
  | 'paid'
  | 'done'
  | 'cancelled'
  | 'deleted';

/** A "collect my parcel for me" task (Dingo §2); party A publishes, party B collects. */
export interface TasksTable {
  id: string;
  publisher_id: string;
  collector_id: string | null;
  state: TaskStateName;
  ew: number;
  ns: number;
  radius_m: number;
  weight_kg: number;
  size_x: number;
  size_y: number;
  size_z: number;
  note: string | null;
  intr: string | null;
  /** The price as published (or last changed with FIX), in fen. */
  cost: number;
  /** cost plus the current bargaining round's adjustments, in fen; never below zero. */
  price: number;
  /** Bargaining round; an abandoned round's adjustments stay recorded under their old round. */
  round: number;
  last_offer_by: 'A' | 'B' | null;
  cabinet_id: string | null;
  box_no: string | null;
  handover: 'pickup' | 'deposit' | null;
  paid_at: string | null;
  confirmed_a_at: string | null;
  confirmed_b_at: string | null;
  /** Optimistic lock: every change is `WHERE version = ?`, so parallel moves cannot both pass. */
  version: number;
  created_at: string;
  updated_at: string;
}

export interface TaskAdjustmentsTable {
  task_id: string;
  n: number;
  round: number;
  party: 'A' | 'B';
  user_id: string;
  delta: number;
  at: string;
}

/** A person's "available to collect" status (Dingo §2.7-2.9). */
export interface AgentsTable {
  id: string;
  user_id: string;
  description: string;
  ew: number;
  ns: number;
  radius_m: number;
  state: 'active' | 'finished' | 'deleted';
  created_at: string;
  updated_at: string;
}

/** The nearby index: latitude band + longitude B-tree, portable to both dialects (ADR 0012). */
export interface NearbyPointsTable {
  kind: 'task' | 'agent';
  id: string;
  band: number;
  lon: number;
  lat: number;
  radius_m: number;
  /** The point's unit vector (see tasks/geo.ts unitVector). */
  ux: number;
  uy: number;
  uz: number;
  /** cos of the point's own radius as an angle, with a margin; -2 when it spans the sphere. */
  reach_cos: number;
  /** k such that radius_m <= 1 km * 2^k, least such (see tasks/geo.ts reachClassOf). */
  reach_class: number;
}

export interface LedgerBalancesTable {
  account: string;
  balance: number;
  updated_at: string;
}

export interface LedgerTransactionsTable {
  id: string;
  idempotency_key: string;
  fingerprint: string;
  kind: string;
  reference: string;
  created_at: string;
}

export interface LedgerEntriesTable {
  transaction_id: string;
  n: number;
  account: string;
  amount: number;
}

export interface LedgerHoldsTable {
  id: string;
  payer: string;
  amount: number;
  reference: string;
  state: 'held' | 'released' | 'refunded';
  payee: string | null;
  created_at: string;
  settled_at: string | null;
}

export interface CloudDatabase {
  cabinets: CabinetsTable;
  box_states: BoxStatesTable;
  cabinet_events: CabinetEventsTable;
  commands: CommandsTable;
  mqtt_accounts: MqttAccountsTable;
  desired_versions: DesiredVersionsTable;
  desired_couriers: DesiredCouriersTable;
  desired_box_settings: DesiredBoxSettingsTable;
  users: UsersTable;
  user_sessions: UserSessionsTable;
  user_photos: UserPhotosTable;
  delivery_addresses: DeliveryAddressesTable;
  used_login_hashes: UsedLoginHashesTable;
  notifications: NotificationsTable;
  operators: OperatorsTable;
  operator_tokens: OperatorTokensTable;
  audit_log: AuditLogTable;
  tasks: TasksTable;
  task_adjustments: TaskAdjustmentsTable;
  agents: AgentsTable;
  nearby_points: NearbyPointsTable;
  ledger_balances: LedgerBalancesTable;
  ledger_transactions: LedgerTransactionsTable;
  ledger_entries: LedgerEntriesTable;
  ledger_holds: LedgerHoldsTable;
}
