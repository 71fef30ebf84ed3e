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
];
