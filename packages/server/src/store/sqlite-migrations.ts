/**
 * The SQLite schema, one entry per version. `PRAGMA user_version` records how many have run;
 * the store applies the missing ones, in order, each in its own transaction, on open.
 * Append only: never edit a migration that has shipped.
 */
export const sqliteMigrations: readonly string[] = [
  `
  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    free_units INTEGER NOT NULL,
    upgrade_url TEXT,
    default_ttl_seconds INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    last4 TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;
  CREATE INDEX api_keys_project ON api_keys (project_id, id);

  CREATE TABLE customers (
    project_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    free_units INTEGER NOT NULL,
    limit_units INTEGER,
    unlimited INTEGER NOT NULL,
    period TEXT NOT NULL,
    metadata TEXT NOT NULL,
    period_start INTEGER,
    used_units INTEGER NOT NULL,
    reserved_units INTEGER NOT NULL,
    grant_units INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, customer_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE runs (
    project_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    ceiling INTEGER,
    used_units INTEGER NOT NULL,
    reserved_units INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, run_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE reservations (
    id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    run_id TEXT,
    units INTEGER NOT NULL,
    status TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    closed_at INTEGER,
    PRIMARY KEY (project_id, id)
  ) STRICT, WITHOUT ROWID;
  -- One index serves every expiry check (per project, by time): due holds are few at any
  -- moment, so filtering them by customer or run costs nothing, and each reservation written
  -- touches one index instead of three.
  CREATE INDEX reservations_open ON reservations (project_id, expires_at) WHERE status = 'open';

  CREATE TABLE events (
    id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    run_id TEXT,
    units INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    idempotency_key TEXT,
    reservation_id TEXT,
    reservation_status TEXT,
    remaining_units INTEGER,
    overage_units INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
  ) STRICT, WITHOUT ROWID;
  CREATE UNIQUE INDEX events_idempotency ON events (project_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
  CREATE INDEX events_customer ON events (project_id, customer_id, created_at);
  CREATE INDEX events_agent ON events (project_id, agent_id, id);

  CREATE TABLE decisions (
    id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    run_id TEXT,
    approved INTEGER NOT NULL,
    reason TEXT,
    estimated_units INTEGER NOT NULL,
    estimate_source TEXT NOT NULL,
    ceiling INTEGER,
    remaining_units INTEGER,
    run_remaining_units INTEGER,
    reservation_id TEXT,
    expires_at INTEGER,
    idempotency_key TEXT,
    request_digest TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
  ) STRICT, WITHOUT ROWID;
  CREATE UNIQUE INDEX decisions_idempotency ON decisions (project_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

  CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    units INTEGER NOT NULL,
    reason TEXT,
    idempotency_key TEXT,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX grants_idempotency ON grants (project_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
  CREATE INDEX grants_customer ON grants (project_id, customer_id, created_at);
  `,
  // 2: dashboard sessions (the token's hash; the key it acts with).
  `
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    key_id TEXT NOT NULL REFERENCES api_keys (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX sessions_expiry ON sessions (expires_at);
  `,
  // 3: blocked decisions, newest first (the dashboard's "Blocked" list and charts). Partial:
  // approved decisions, the hot path, write no entry.
  `
  CREATE INDEX decisions_blocked ON decisions (project_id, id) WHERE approved = 0;
  `,
  // 4: webhooks — endpoints, the outbox of events (written in the transaction of the change
  // that caused them), one delivery per event and endpoint, and the log of every attempt.
  `
  CREATE TABLE webhook_endpoints (
    id TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects (id),
    url TEXT NOT NULL,
    description TEXT,
    events TEXT NOT NULL,
    thresholds TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER,
    PRIMARY KEY (project_id, id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE webhook_events (
    id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedup_key TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
  ) STRICT, WITHOUT ROWID;
  CREATE UNIQUE INDEX webhook_events_dedup ON webhook_events (project_id, dedup_key)
    WHERE dedup_key IS NOT NULL;

  CREATE TABLE webhook_deliveries (
    id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    next_attempt_at INTEGER,
    last_attempt_at INTEGER,
    last_response_status INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    completed_at INTEGER,
    PRIMARY KEY (project_id, id)
  ) STRICT, WITHOUT ROWID;
  CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries (project_id, endpoint_id, event_id);
  CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (project_id, endpoint_id, id);
  -- The worker's claim: due deliveries across projects, oldest due first (in index order, so
  -- a claim reads its few rows, not the whole backlog).
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id)
    WHERE status = 'pending';

  CREATE TABLE webhook_attempts (
    project_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    response_status INTEGER,
    error TEXT,
    succeeded INTEGER NOT NULL,
    PRIMARY KEY (project_id, delivery_id, attempt)
  ) STRICT, WITHOUT ROWID;
  `,
  // 5: finished webhook deliveries by completion time, and deliveries by event (the worker's
  // pruning of old deliveries and the events they leave behind).
  `
  CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (completed_at)
    WHERE status <> 'pending';
  CREATE INDEX webhook_deliveries_of_event ON webhook_deliveries (project_id, event_id);
  `,
]
