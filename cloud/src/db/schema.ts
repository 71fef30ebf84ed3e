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
  /** A disabled user cannot log in, reserve or be granted a box. */
  status: ColumnType<UserStatus, UserStatus | undefined, UserStatus>;
}

export type UserStatus = 'normal' | 'disabled';

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

export type ParcelState = 'announced' | 'deposited' | 'notified' | 'picked_up' | 'expired' | 'recollected';

/** A parcel (issue 8): announced ahead, or first seen in a cabinet's deposit event. */
export interface ParcelsTable {
  id: string;
  state: ParcelState;
  waybill: string | null;
  size: string | null;
  recipient_user_id: string | null;
  recipient_tel: string | null;
  announced_by: string | null;
  cabinet_id: string | null;
  box_no: string | null;
  cabinet_parcel_id: string | null;
  depositor: string | null;
  /** JSON of the SealedCode (ADR 0013); the code is never stored open. */
  sealed_code: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  deposited_at: string | null;
  notified_at: string | null;
  reminded_at: string | null;
  picked_up_at: string | null;
  expired_at: string | null;
  recollected_at: string | null;
}

/** A message for a channel outside the app (SMS, push), sent and retried by a worker. */
export interface OutboundMessagesTable {
  id: string;
  channel: 'sms' | 'push';
  to_address: string;
  kind: string;
  /** JSON; a pickup code in it stays sealed until the moment it is sent. */
  payload: string;
  attempts: number;
  next_attempt_at: string;
  sent_at: string | null;
  failed_at: string | null;
  last_error: string | null;
  created_at: string;
}

/** Where a background worker that reads a table in order stopped (e.g. the parcel catch-up). */
export interface WorkerCursorsTable {
  name: string;
  position: string;
  updated_at: string;
}

/** A site (网点); its number is the cabinet id, e.g. `610091A01`. */
export interface SitesTable {
  site_no: string;
  name: string;
  address: string | null;
  lat: number | null;
  lon: number | null;
  created_at: string;
  updated_at: string;
}

export type SiteBoxStatus = 'free' | 'reserved' | 'occupied' | 'out_of_service' | 'blocked';

/** A box (箱格) as the patent names it: holder = 空箱使用人, depositor = 投件人, parcel = 快件编号. */
export interface SiteBoxesTable {
  site_no: string;
  box_no: string;
  size: string;
  status: SiteBoxStatus;
  holder_id: string | null;
  depositor: string | null;
  parcel_no: string | null;
  updated_at: string;
}

export type ReservationState = 'active' | 'used' | 'expired' | 'cancelled' | 'handed_on';

/** An empty-box right (具有空箱使用权) for a user and a time window. */
export interface ReservationsTable {
  id: string;
  user_id: string;
  site_no: string;
  box_no: string;
  size: string;
  starts_at: string;
  ends_at: string;
  state: ReservationState;
  /** JSON of the scrypt verifier of the reserver's access code (never the code). */
  verifier: string;
  created_at: string;
  closed_at: string | null;
}

export interface ReservationCountsTable {
  user_id: string;
  active: number;
}

export type GrantState = 'active' | 'used' | 'revoked' | 'expired';

/** A right handed on by its holder (the patent's method 1, step D). */
export interface BoxGrantsTable {
  id: string;
  kind: 'deposit' | 'pickup';
  site_no: string;
  box_no: string;
  holder_id: string;
  grantee_id: string;
  reservation_id: string | null;
  parcel_no: string | null;
  verifier: string;
  expires_at: string;
  state: GrantState;
  created_at: string;
  closed_at: string | null;
  /** The third-party authorizer whose answer made the grant (method 2); null for method 1. */
  authorizer_no: string | null;
}

/** The cloud's grant-token signing keys (ADR 0017); the private half sealed with the server key. */
export interface GrantSigningKeysTable {
  kid: string;
  public_key: string;
  private_sealed: string;
  state: 'active' | 'retired';
  created_at: string;
  /** A retired key's tokens are accepted until then; null on the active key. */
  accept_until: string | null;
}

/** Grants revoked while tokens of theirs may still be valid; gone after `until`. */
export interface RevokedGrantsTable {
  grant_id: string;
  site_no: string;
  until: string;
  created_at: string;
}

/** Append-only: rows are inserted, never updated or deleted. */
export interface TimelineEntriesTable {
  id: string;
  at: string;
  subject_kind: 'box' | 'parcel' | 'grant' | 'reservation' | 'request';
  subject_id: string;
  site_no: string | null;
  box_no: string | null;
  event: string;
  actor: string | null;
  holder_id: string | null;
  grantee_id: string | null;
  detail: string | null;
}

export interface CloudDatabase {
  cabinets: CabinetsTable;
  grant_signing_keys: GrantSigningKeysTable;
  revoked_grants: RevokedGrantsTable;
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
  parcels: ParcelsTable;
  outbound_messages: OutboundMessagesTable;
  worker_cursors: WorkerCursorsTable;
  sites: SitesTable;
  site_boxes: SiteBoxesTable;
  reservations: ReservationsTable;
  reservation_counts: ReservationCountsTable;
  box_grants: BoxGrantsTable;
  timeline_entries: TimelineEntriesTable;
  authorizers: AuthorizersTable;
  authorization_requests: AuthorizationRequestsTable;
  authorizer_deliveries: AuthorizerDeliveriesTable;
  authorizer_signatures: AuthorizerSignaturesTable;
}

/** A third-party authorizer (第三方授权商, method 2): its secret only sealed (SecretSeal). */
export interface AuthorizersTable {
  no: string;
  name: string;
  status: 'normal' | 'disabled';
  url: string;
  secret_sealed: string;
  /** The secret before the last rotation: it still verifies (never signs) until `previous_until`. */
  previous_secret_sealed: string | null;
  previous_until: string | null;
  created_at: string;
  updated_at: string;
}

export type AuthorizationRequestState = 'requested' | 'sent' | 'granted' | 'failed';

/** A holder's request that an authorizer pick a grantee for a box (method 2, steps C-F). */
export interface AuthorizationRequestsTable {
  id: string;
  holder_id: string;
  site_no: string;
  box_no: string;
  size: string;
  authorizer_no: string;
  state: AuthorizationRequestState;
  /** `site/box` while open (unique), null once granted or failed. */
  open_box: string | null;
  grantee_id: string | null;
  grant_id: string | null;
  failure_code: string | null;
  expires_at: string;
  created_at: string;
  updated_at: string;
}

/** The durable queue of signed POSTs to authorizers: requests and confirmations. */
export interface AuthorizerDeliveriesTable {
  id: string;
  request_id: string;
  authorizer_no: string;
  kind: 'request' | 'confirmation';
  /** The JSON body, fixed at enqueue time: every try sends the same bytes (new timestamp). */
  body: string;
  attempts: number;
  next_attempt_at: string;
  sent_at: string | null;
  failed_at: string | null;
  last_error: string | null;
  created_at: string;
}

/** Signatures seen inside the timestamp window: a second use is a replay. */
export interface AuthorizerSignaturesTable {
  authorizer_no: string;
  signature: string;
  expires_at: string;
}
