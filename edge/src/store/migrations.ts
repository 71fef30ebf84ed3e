/**
 * Schema steps of the cabinet database, applied in order and recorded in `PRAGMA user_version`.
 * Never edit a step that has shipped; append a new one.
 */
export const migrations: readonly string[] = [
  // 1: boxes, the event outbox, the command journal
  `
  CREATE TABLE boxes (
    box_no     TEXT PRIMARY KEY,
    board      INTEGER NOT NULL,
    lock       INTEGER NOT NULL,
    size       TEXT NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 1,
    door       TEXT NOT NULL DEFAULT 'unknown',
    lock_state TEXT NOT NULL DEFAULT 'unknown',
    occupancy  TEXT NOT NULL DEFAULT 'unknown',
    usage      TEXT NOT NULL DEFAULT 'free',
    since      TEXT NOT NULL
  );
  -- AUTOINCREMENT: a seq is never reused, even after acked rows are deleted.
  CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    type         TEXT NOT NULL,
    at           TEXT NOT NULL,
    data         TEXT NOT NULL,
    last_sent_at TEXT
  );
  -- Commands already executed, so a redelivered request is answered, never executed twice.
  CREATE TABLE commands (
    transaction_id TEXT PRIMARY KEY,
    op             TEXT NOT NULL,
    response       TEXT,
    received_at    TEXT NOT NULL
  );
  `,
  // 2: what the cabinet needs to serve people offline: parcels, hashed credentials, grants, alarms,
  // wrong-attempt counters, flow sessions, the applied desired-state version, the cabinet's secret key.
  `
  CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
  );
  CREATE TABLE parcels (
    parcel_id    TEXT PRIMARY KEY,
    box_no       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('deposited', 'picked_up', 'expired')),
    size         TEXT,
    depositor    TEXT,
    grant_id     TEXT,
    deposited_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    closed_at    TEXT
  );
  CREATE INDEX parcels_box ON parcels (box_no, state);
  CREATE INDEX parcels_expiry ON parcels (state, expires_at);
  -- Pickup codes and QR tokens issued here, keyed by HMAC-SHA256 under the cabinet's secret key.
  CREATE TABLE pickup_codes (
    hash       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('code', 'token')),
    parcel_id  TEXT NOT NULL REFERENCES parcels (parcel_id),
    expires_at TEXT NOT NULL,
    used_at    TEXT
  );
  CREATE INDEX pickup_codes_parcel ON pickup_codes (parcel_id);
  -- Courier credentials and grants arrive from the cloud as scrypt verifiers (never the secret).
  CREATE TABLE couriers (
    courier_id TEXT PRIMARY KEY,
    name       TEXT,
    company    TEXT,
    verifier   TEXT NOT NULL,
    expires_at TEXT
  );
  CREATE TABLE grants (
    grant_id      TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('deposit', 'pickup')),
    box_no        TEXT NOT NULL,
    user_no       TEXT NOT NULL,
    holder_no     TEXT,
    authorizer_id TEXT,
    verifier      TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT,
    parcel_id     TEXT
  );
  CREATE INDEX grants_user ON grants (user_no);
  CREATE INDEX grants_box ON grants (box_no);
  CREATE TABLE desired_meta (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    version    INTEGER NOT NULL,
    applied_at TEXT NOT NULL
  );
  CREATE TABLE box_settings (
    box_no         TEXT PRIMARY KEY,
    out_of_service INTEGER NOT NULL
  );
  CREATE TABLE alarms (
    alarm_id   TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    box_no     TEXT,
    board      INTEGER,
    message    TEXT NOT NULL,
    raised_at  TEXT NOT NULL,
    cleared_at TEXT
  );
  -- At most one active alarm per kind and subject, so raising twice is a no-op.
  CREATE UNIQUE INDEX alarms_active ON alarms (kind, subject) WHERE cleared_at IS NULL;
  CREATE TABLE attempts (
    subject      TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT
  );
  CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    state      TEXT NOT NULL,
    box_no     TEXT,
    data       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX sessions_active ON sessions (state);
  `,
  // 3: couriers take expired parcels back (state 'recollected'), and a parcel remembers its depositor's
  // company so a colleague may recollect it even after the depositor's credential is gone.
  // SQLite cannot change a CHECK in place: both tables are rebuilt. The child (pickup_codes) is moved
  // first so dropping the old parcels table breaks no foreign key while foreign_keys stays on; renaming
  // parcels_v3 rewrites the child's reference to "parcels".
  `
  CREATE TABLE parcels_v3 (
    parcel_id         TEXT PRIMARY KEY,
    box_no            TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('deposited', 'picked_up', 'expired', 'recollected')),
    size              TEXT,
    depositor         TEXT,
    depositor_company TEXT,
    grant_id          TEXT,
    deposited_at      TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    closed_at         TEXT
  );
  INSERT INTO parcels_v3 (parcel_id, box_no, state, size, depositor, depositor_company, grant_id,
                          deposited_at, expires_at, closed_at)
    SELECT p.parcel_id, p.box_no, p.state, p.size, p.depositor,
           CASE WHEN p.grant_id IS NULL THEN (SELECT c.company FROM couriers c WHERE c.courier_id = p.depositor) END,
           p.grant_id, p.deposited_at, p.expires_at, p.closed_at
    FROM parcels p;
  CREATE TABLE pickup_codes_v3 (
    hash       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('code', 'token')),
    parcel_id  TEXT NOT NULL REFERENCES parcels_v3 (parcel_id),
    expires_at TEXT NOT NULL,
    used_at    TEXT
  );
  INSERT INTO pickup_codes_v3 SELECT hash, kind, parcel_id, expires_at, used_at FROM pickup_codes;
  DROP TABLE pickup_codes;
  DROP TABLE parcels;
  ALTER TABLE parcels_v3 RENAME TO parcels;
  ALTER TABLE pickup_codes_v3 RENAME TO pickup_codes;
  CREATE INDEX parcels_box ON parcels (box_no, state);
  CREATE INDEX parcels_expiry ON parcels (state, expires_at);
  CREATE INDEX pickup_codes_parcel ON pickup_codes (parcel_id);
  `,
  // 4: pickup codes and QR tokens never rest in plain (ADR 0009). Older versions kept them in the
  // sessions' data (and its message); this rewrites those rows. The bytes the rewrite frees are zeroed
  // and the WAL truncated by the store after migrating (secure_delete, VACUUM, wal_checkpoint).
  `
  UPDATE sessions
     SET data = json_set(
           json_remove(data, '$.pickupCode', '$.pickupToken'),
           '$.message',
           CASE WHEN json_extract(data, '$.message') LIKE 'Deposited in box %. Pickup code %'
                THEN 'Deposited in box ' || coalesce(box_no, '') || '.'
                ELSE json_extract(data, '$.message') END)
   WHERE json_type(data, '$.pickupCode') IS NOT NULL OR json_type(data, '$.pickupToken') IS NOT NULL
      OR json_extract(data, '$.message') LIKE 'Deposited in box %. Pickup code %';
  `,
  // 5: the whole cabinet out of service (issue 13), set by an operator through desired state.
  `
  ALTER TABLE desired_meta ADD COLUMN cabinet_out_of_service INTEGER NOT NULL DEFAULT 0;
  `,
  // 6: signed grant tokens (issue 9, ADR 0017): the cloud's public keys, revocations until the
  // tokens they name expire, and every grant used here, whichever way it came (code or token).
  `
  CREATE TABLE grant_keys (
    kid          TEXT PRIMARY KEY,
    public_key   TEXT NOT NULL,
    accept_until TEXT
  );
  CREATE TABLE revoked_grants (
    grant_id TEXT PRIMARY KEY,
    until    TEXT NOT NULL
  );
  CREATE TABLE grant_uses (
    grant_id TEXT PRIMARY KEY,
    used_at  TEXT NOT NULL,
    until    TEXT NOT NULL
  );
  INSERT INTO grant_uses (grant_id, used_at, until)
    SELECT grant_id, used_at, expires_at FROM grants WHERE used_at IS NOT NULL;
  `,
];
