import type { PoolClient } from 'pg'

/**
 * The PostgreSQL schema, one entry per version; the same tables and indexes as the SQLite
 * store's. `agentbill_migrations` records which versions ran. Append only: never edit a
 * migration that has shipped.
 *
 * - Caller-chosen and server-made ids are `text COLLATE "C"`: byte order, as SQLite compares
 *   them, so cursors (`starting_after`) and "newest first" lists page the same way whatever
 *   the database's default collation.
 * - Times are epoch milliseconds and units integers up to 2^53 − 1: `bigint`.
 * - Metadata is the JSON text as written (not `jsonb`, which would reorder keys).
 * - `customers` and `runs` are rewritten on every request: a lower fill factor leaves room on
 *   each page for heap-only-tuple updates (none of their indexed columns change).
 */
export const postgresMigrations: readonly string[] = [
  `
  CREATE TABLE projects (
    id text COLLATE "C" PRIMARY KEY,
    name text NOT NULL,
    free_units bigint NOT NULL,
    upgrade_url text,
    default_ttl_seconds bigint NOT NULL,
    created_at bigint NOT NULL
  );

  CREATE TABLE api_keys (
    id text COLLATE "C" PRIMARY KEY,
    project_id text COLLATE "C" NOT NULL REFERENCES projects (id),
    name text NOT NULL,
    scope text NOT NULL,
    key_hash text COLLATE "C" NOT NULL UNIQUE,
    prefix text NOT NULL,
    last4 text NOT NULL,
    created_at bigint NOT NULL,
    revoked_at bigint
  );
  CREATE INDEX api_keys_project ON api_keys (project_id, id);

  CREATE TABLE customers (
    project_id text COLLATE "C" NOT NULL,
    customer_id text COLLATE "C" NOT NULL,
    free_units bigint NOT NULL,
    limit_units bigint,
    unlimited boolean NOT NULL,
    period text NOT NULL,
    metadata text NOT NULL,
    period_start bigint,
    used_units bigint NOT NULL,
    reserved_units bigint NOT NULL,
    grant_units bigint NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (project_id, customer_id)
  ) WITH (fillfactor = 70);

  CREATE TABLE runs (
    project_id text COLLATE "C" NOT NULL,
    run_id text COLLATE "C" NOT NULL,
    ceiling bigint,
    used_units bigint NOT NULL,
    reserved_units bigint NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (project_id, run_id)
  ) WITH (fillfactor = 70);

  CREATE TABLE reservations (
    id text COLLATE "C" NOT NULL,
    project_id text COLLATE "C" NOT NULL,
    customer_id text COLLATE "C" NOT NULL,
    agent_id text COLLATE "C" NOT NULL,
    run_id text COLLATE "C",
    units bigint NOT NULL,
    status text NOT NULL,
    expires_at bigint NOT NULL,
    created_at bigint NOT NULL,
    closed_at bigint,
    PRIMARY KEY (project_id, id)
  );
  -- Expiry checks of one project (every read that finds a hold), and the background sweep
  -- across projects. Both hold only open reservations.
  CREATE INDEX reservations_open ON reservations (project_id, expires_at) WHERE status = 'open';
  CREATE INDEX reservations_due ON reservations (expires_at) WHERE status = 'open';

  CREATE TABLE events (
    id text COLLATE "C" NOT NULL,
    project_id text COLLATE "C" NOT NULL,
    customer_id text COLLATE "C" NOT NULL,
    agent_id text COLLATE "C" NOT NULL,
    run_id text COLLATE "C",
    units bigint NOT NULL,
    metadata text NOT NULL,
    idempotency_key text COLLATE "C",
    reservation_id text COLLATE "C",
    reservation_status text,
    remaining_units bigint,
    overage_units bigint NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (project_id, id)
  );
  CREATE UNIQUE INDEX events_idempotency ON events (project_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
  CREATE INDEX events_customer ON events (project_id, customer_id, created_at);
  CREATE INDEX events_agent ON events (project_id, agent_id, id);

  CREATE TABLE decisions (
    id text COLLATE "C" NOT NULL,
    project_id text COLLATE "C" NOT NULL,
    customer_id text COLLATE "C" NOT NULL,
    agent_id text COLLATE "C" NOT NULL,
    run_id text COLLATE "C",
    approved boolean NOT NULL,
    reason text,
    estimated_units bigint NOT NULL,
    estimate_source text NOT NULL,
    ceiling bigint,
    remaining_units bigint,
    run_remaining_units bigint,
    reservation_id text COLLATE "C",
    expires_at bigint,
    idempotency_key text COLLATE "C",
    request_digest text,
    created_at bigint NOT NULL,
    PRIMARY KEY (project_id, id)
  );
  CREATE UNIQUE INDEX decisions_idempotency ON decisions (project_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

  CREATE TABLE grants (
    id text COLLATE "C" PRIMARY KEY,
    project_id text COLLATE "C" NOT NULL,
    customer_id text COLLATE "C" NOT NULL,
    units bigint NOT NULL,
    reason text,
    idempotency_key text COLLATE "C",
    created_at bigint NOT NULL
  );
  CREATE UNIQUE INDEX grants_idempotency ON grants (project_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
  CREATE INDEX grants_customer ON grants (project_id, customer_id, created_at);
  `,
  // 2: dashboard sessions (the token's hash; the key it acts with).
  `
  CREATE TABLE sessions (
    token_hash text COLLATE "C" PRIMARY KEY,
    project_id text COLLATE "C" NOT NULL REFERENCES projects (id),
    key_id text COLLATE "C" NOT NULL REFERENCES api_keys (id),
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
  );
  CREATE INDEX sessions_expiry ON sessions (expires_at);
  `,
  // 3: blocked decisions, newest first (the dashboard's "Blocked" list and charts). Partial:
  // approved decisions, the hot path, write no entry.
  `
  CREATE INDEX decisions_blocked ON decisions (project_id, id) WHERE NOT approved;
  `,
  // 4: webhooks (issue 13) — endpoints, the outbox of events (written in the transaction of
  // the change that caused them), one delivery per event and endpoint, every attempt's log.
  `
  CREATE TABLE webhook_endpoints (
    id text COLLATE "C" NOT NULL,
    project_id text COLLATE "C" NOT NULL REFERENCES projects (id),
    url text NOT NULL,
    description text,
    events text NOT NULL,
    thresholds text NOT NULL,
    secret text NOT NULL,
    created_at bigint NOT NULL,
    deleted_at bigint,
    PRIMARY KEY (project_id, id)
  );

  CREATE TABLE webhook_events (
    id text COLLATE "C" NOT NULL,
    project_id text COLLATE "C" NOT NULL,
    type text NOT NULL,
    payload text NOT NULL,
    dedup_key text COLLATE "C",
    created_at bigint NOT NULL,
    PRIMARY KEY (project_id, id)
  );
  CREATE UNIQUE INDEX webhook_events_dedup ON webhook_events (project_id, dedup_key)
    WHERE dedup_key IS NOT NULL;

  CREATE TABLE webhook_deliveries (
    id text COLLATE "C" NOT NULL,
    project_id text COLLATE "C" NOT NULL,
    endpoint_id text COLLATE "C" NOT NULL,
    event_id text COLLATE "C" NOT NULL,
    status text NOT NULL,
    attempts integer NOT NULL,
    max_attempts integer NOT NULL,
    next_attempt_at bigint,
    last_attempt_at bigint,
    last_response_status integer,
    last_error text,
    created_at bigint NOT NULL,
    completed_at bigint,
    PRIMARY KEY (project_id, id)
  );
  CREATE UNIQUE INDEX webhook_deliveries_event
    ON webhook_deliveries (project_id, endpoint_id, event_id);
  CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (project_id, endpoint_id, id);
  -- The workers' claims: due deliveries across projects, oldest due first.
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id)
    WHERE status = 'pending';

  CREATE TABLE webhook_attempts (
    project_id text COLLATE "C" NOT NULL,
    delivery_id text COLLATE "C" NOT NULL,
    attempt integer NOT NULL,
    started_at bigint NOT NULL,
    duration_ms bigint NOT NULL,
    response_status integer,
    error text,
    succeeded boolean NOT NULL,
    PRIMARY KEY (project_id, delivery_id, attempt)
  );
  `,
  // 5: finished webhook deliveries by completion time, and deliveries by event (the workers'
  // pruning of old deliveries and the events they leave behind).
  `
  CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (completed_at)
    WHERE status <> 'pending';
  CREATE INDEX webhook_deliveries_of_event ON webhook_deliveries (project_id, event_id);
  `,
]

/** The unique indexes that guard idempotency keys: a violation of one is a key race. */
export const IDEMPOTENCY_INDEXES: ReadonlySet<string> = new Set([
  'events_idempotency',
  'decisions_idempotency',
  'grants_idempotency',
])

/**
 * Brings the schema up to date. Several instances may start at once: a session-level
 * advisory lock (keyed by the schema's name) lets one migrate while the others wait, then
 * find nothing left to do. Each version runs in its own transaction with its record.
 *
 * @param schema Created when missing; `undefined` uses the connection's own search path.
 * @param migrations The versions to apply (the store's own unless a test passes others).
 * @throws Error when the database has more versions than this build knows (a newer server
 *   migrated it): an older build must not write to a schema it does not understand.
 */
export async function migratePostgres(
  client: PoolClient,
  schema: string | undefined,
  migrations: readonly string[] = postgresMigrations,
): Promise<{ applied: number; version: number }> {
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [`agentbill.migrate:${schema ?? ''}`])
  try {
    if (schema !== undefined) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`)
    }
    await client.query(
      `CREATE TABLE IF NOT EXISTS agentbill_migrations (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    )
    const result = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM agentbill_migrations',
    )
    const current = result.rows[0]?.version ?? 0
    if (current > migrations.length) {
      throw new Error(
        `The database schema is at version ${current}, newer than this server knows (${migrations.length}); upgrade agentbill-server`,
      )
    }
    for (let index = current; index < migrations.length; index++) {
      await client.query('BEGIN')
      try {
        await client.query(migrations[index] as string)
        await client.query('INSERT INTO agentbill_migrations (version) VALUES ($1)', [index + 1])
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
    }
    return { applied: migrations.length - current, version: migrations.length }
  } finally {
    await client
      .query('SELECT pg_advisory_unlock(hashtext($1))', [`agentbill.migrate:${schema ?? ''}`])
      .catch(() => undefined)
  }
}

/** A schema name as a quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
