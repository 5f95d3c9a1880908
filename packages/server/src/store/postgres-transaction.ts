import type { PoolClient } from 'pg'
import { activityConditions } from './activity-filter.js'
import { classifyPostgresError, type PostgresFailure } from './postgres-errors.js'
import { PostgresWebhookTransaction } from './postgres-webhooks.js'
import {
  integer,
  nullableText,
  type Row,
  text,
  toApiKey,
  toCustomer,
  toDecision,
  toEvent,
  toGrant,
  toProject,
  toReservation,
  toRun,
} from './row-mappers.js'
import {
  type ActivityFilter,
  type ApiKeyRow,
  type CustomerListOptions,
  type CustomerRow,
  type DecisionFilter,
  type DecisionRow,
  type DecisionSummaryQuery,
  type DecisionSummaryRow,
  type EventRow,
  type ExpireFilter,
  type GrantRow,
  type ProjectRow,
  type ReservationRow,
  type ReservationStatus,
  type RunRow,
  type SessionRow,
  StoreConflictError,
  type StoreTransaction,
  type UsageQuery,
  type UsageRow,
} from './store.js'
import { StoreUnavailableError } from './store-unavailable-error.js'

/** Named prepared statements, one per SQL text (each connection prepares a name once). */
const statementNames = new Map<string, string>()
function statementName(sql: string): string {
  let name = statementNames.get(sql)
  if (name === undefined) {
    name = `agentbill_${statementNames.size + 1}`
    statementNames.set(sql, name)
  }
  return name
}

/** Builds `WHERE` clauses with numbered parameters. */
class Where {
  readonly clauses: string[] = []
  readonly values: unknown[] = []

  add(clause: (parameter: string) => string, value: unknown): this {
    this.values.push(value)
    this.clauses.push(clause(`$${this.values.length}`))
    return this
  }

  /** A clause without a value. */
  constant(clause: string): this {
    this.clauses.push(clause)
    return this
  }

  /** The next parameter's placeholder, for a value used outside the clauses (a limit). */
  parameter(value: unknown): string {
    this.values.push(value)
    return `$${this.values.length}`
  }

  toString(): string {
    return this.clauses.join(' AND ')
  }
}

function activityWhere(projectId: string, filter: ActivityFilter): Where {
  const where = new Where()
  for (const { test, value } of activityConditions(projectId, filter))
    where.add((p) => `${test} ${p}`, value)
  return where
}

/** The first failed statement of a transaction: after it, PostgreSQL has aborted the rest. */
export interface TransactionFailure {
  kind: PostgresFailure
  error: unknown
}

/**
 * One PostgreSQL transaction's operations, on one pooled connection, at READ COMMITTED.
 *
 * Rows the ledger reads to write back are locked: `ensure…`/`get…` of customers, runs,
 * reservations and keys use `SELECT … FOR UPDATE`, so a concurrent transaction waits for the
 * commit and then reads the new values. The one row read without a lock and written back —
 * the project, read with the key — is updated only if it is still as read, else the
 * transaction is retried.
 *
 * Expiry never waits for a lock (see {@link expireReservations}), so it cannot deadlock with
 * a transaction that holds a customer and is expiring the same project.
 */
export class PostgresTransaction implements StoreTransaction {
  readonly #client: PoolClient
  /** Webhook endpoints, events and deliveries (`postgres-webhooks.ts`), on this connection. */
  readonly webhooks = new PostgresWebhookTransaction({
    rows: (sql, values) => this.#rows(sql, values),
    send: (sql, values) => this.#send(sql, values),
  })
  /** Set by the first statement that fails; the store decides from it what to do. */
  failure: TransactionFailure | undefined
  /** Projects as this transaction read them, to detect a concurrent change on update. */
  readonly #projectsRead = new Map<string, ProjectRow>()
  /** Customers and runs this transaction has locked (`pairKey(projectId, id)`). */
  readonly #heldCustomers = new Set<string>()
  readonly #heldRuns = new Set<string>()

  readonly #lostConnection: () => Error | undefined
  /** The connection's socket while statements are being gathered into one write. */
  readonly #socket: Corkable | undefined
  #corked = false

  /**
   * @param lostConnection The error the connection emitted while no statement was running
   *   (it died between statements), if any.
   * @param pipelined Whether the connection is in pg's pipeline mode (statements are written
   *   without waiting for the previous answer), so that writes can be gathered.
   */
  constructor(
    client: PoolClient,
    lostConnection: () => Error | undefined = () => undefined,
    pipelined = false,
  ) {
    this.#client = client
    this.#lostConnection = lostConnection
    this.#socket = pipelined ? socketOf(client) : undefined
  }

  /**
   * Holds the statements sent from now on in the socket's buffer until {@link flush}: pg
   * writes each statement with its own system call, and on this kind of machine each write
   * to a loopback socket costs tens of microseconds, a large share of a request. pg has no
   * batch API; corking its socket is what it does itself around one statement's messages.
   */
  gather(): void {
    if (this.#socket === undefined || this.#corked) return
    this.#socket.cork()
    this.#corked = true
  }

  /** Writes what {@link gather} held, in one system call. */
  flush(): void {
    if (!this.#corked) return
    this.#corked = false
    this.#socket?.uncork()
  }

  /** Records the first failure: after it, PostgreSQL has aborted the transaction. */
  fail(error: unknown): TransactionFailure {
    this.failure ??= { kind: classifyPostgresError(error), error }
    return this.failure
  }

  #checkConnection(): void {
    const lost = this.#lostConnection()
    if (lost !== undefined) this.failure ??= { kind: 'unavailable', error: lost }
    if (this.failure !== undefined) throw storeError(this.failure)
  }

  /** Runs one statement and waits for its rows; a failure is thrown as the store's error. */
  async #rows(sql: string, values: readonly unknown[] = []): Promise<Row[]> {
    this.#checkConnection()
    try {
      const answer = this.#client.query<Row>({
        name: statementName(sql),
        text: sql,
        values: values as unknown[],
      })
      // This statement waits for its answer: everything gathered before it leaves with it.
      this.flush()
      return (await answer).rows
    } catch (error) {
      // The first failure is the cause; later statements only fail because it aborted.
      throw storeError(this.fail(error))
    }
  }

  /**
   * Sends a write whose result nobody reads, without waiting for it. On a pipelined
   * connection it leaves at once, ahead of the next statement, so a request's trailing
   * writes and its COMMIT share one round trip (and the rows it locked are held that much
   * shorter). Statements still run in order; a failure is recorded, so a later statement or
   * the COMMIT fails with it as the cause. Only for writes that cannot meet a concurrent
   * idempotency key: the ledger must see those conflicts where it makes them.
   */
  async #send(sql: string, values: readonly unknown[]): Promise<void> {
    // Without pipelining a statement waits its turn anyway (pg deprecates queueing them).
    if (this.#socket === undefined) {
      await this.#rows(sql, values)
      return
    }
    this.#checkConnection()
    this.gather()
    this.#client.query({ name: statementName(sql), text: sql, values: values as unknown[] }).then(
      () => undefined,
      (error: unknown) => {
        this.fail(error)
      },
    )
  }

  /** Whether statements go out without waiting for the previous answer (pg's pipeline mode). */
  get pipelined(): boolean {
    return this.#socket !== undefined
  }

  /**
   * An insert that carries an idempotency key waits for its answer, so that a concurrent
   * twin surfaces here as a {@link StoreConflictError}; one without a key is only sent.
   */
  async #insert(key: string | null, sql: string, values: readonly unknown[]): Promise<void> {
    if (key === null) await this.#send(sql, values)
    else await this.#rows(sql, values)
  }

  async #one(sql: string, values: readonly unknown[]): Promise<Row | undefined> {
    return (await this.#rows(sql, values))[0]
  }

  /** Marks the transaction for a retry (the work it did was based on a stale read). */
  #stale(message: string): never {
    const error = new Error(message)
    this.failure ??= { kind: 'retry', error }
    throw error
  }

  async countProjects(): Promise<number> {
    // Two instances starting on an empty database must not both create a first project: the
    // count runs after a transaction lock that the other's count waits for (a new snapshot).
    await this.#rows(`SELECT pg_advisory_xact_lock(hashtext('agentbill.count_projects'))`)
    return integer((await this.#one('SELECT count(*) AS count FROM projects', []))?.count)
  }

  async insertProject(row: ProjectRow): Promise<void> {
    await this.#send(
      `INSERT INTO projects (id, name, free_units, upgrade_url, default_ttl_seconds, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.id, row.name, row.freeUnits, row.upgradeUrl, row.defaultTtlSeconds, row.createdAt],
    )
    this.#projectsRead.set(row.id, { ...row })
  }

  async getProject(id: string): Promise<ProjectRow | undefined> {
    const row = await this.#one('SELECT * FROM projects WHERE id = $1', [id])
    if (row === undefined) return undefined
    const project = toProject(row)
    this.#projectsRead.set(id, { ...project })
    return project
  }

  async updateProject(row: ProjectRow): Promise<void> {
    const read = this.#projectsRead.get(row.id)
    if (read === undefined) {
      await this.#rows(
        `UPDATE projects SET name = $2, free_units = $3, upgrade_url = $4, default_ttl_seconds = $5
         WHERE id = $1`,
        [row.id, row.name, row.freeUnits, row.upgradeUrl, row.defaultTtlSeconds],
      )
      return
    }
    // The caller changed some fields of the row it read; only if nobody changed the row since
    // is writing all of them back right (else the other writer's change would be lost).
    const updated = await this.#rows(
      `UPDATE projects SET name = $2, free_units = $3, upgrade_url = $4, default_ttl_seconds = $5
       WHERE id = $1 AND name = $6 AND free_units = $7 AND upgrade_url IS NOT DISTINCT FROM $8
         AND default_ttl_seconds = $9
       RETURNING id`,
      [
        row.id,
        row.name,
        row.freeUnits,
        row.upgradeUrl,
        row.defaultTtlSeconds,
        read.name,
        read.freeUnits,
        read.upgradeUrl,
        read.defaultTtlSeconds,
      ],
    )
    if (updated.length === 0) this.#stale('The project changed since it was read')
    this.#projectsRead.set(row.id, { ...row })
  }

  async insertApiKey(row: ApiKeyRow): Promise<void> {
    await this.#send(
      `INSERT INTO api_keys (id, project_id, name, scope, key_hash, prefix, last4, created_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        row.id,
        row.projectId,
        row.name,
        row.scope,
        row.keyHash,
        row.prefix,
        row.last4,
        row.createdAt,
        row.revokedAt,
      ],
    )
  }

  async findApiKeyByHash(
    keyHash: string,
  ): Promise<{ key: ApiKeyRow; project: ProjectRow } | undefined> {
    // One statement on the hot path of every request: the key and its project. Read from
    // the database on every request (no cache), so a revoked key fails at once everywhere.
    const row = await this.#one(
      `SELECT k.id, k.project_id, k.name AS key_name, k.scope, k.key_hash, k.prefix, k.last4,
         k.created_at AS key_created_at, k.revoked_at, p.name, p.free_units, p.upgrade_url,
         p.default_ttl_seconds, p.created_at
       FROM api_keys k JOIN projects p ON p.id = k.project_id WHERE k.key_hash = $1`,
      [keyHash],
    )
    if (row === undefined) return undefined
    const project = toProject({ ...row, id: row.project_id })
    this.#projectsRead.set(project.id, { ...project })
    return {
      key: toApiKey({ ...row, name: row.key_name, created_at: row.key_created_at }),
      project,
    }
  }

  async getApiKey(projectId: string, id: string): Promise<ApiKeyRow | undefined> {
    // Locked: revoking reads the key, then writes (two revokes answer the same revoked_at).
    const row = await this.#one(
      'SELECT * FROM api_keys WHERE project_id = $1 AND id = $2 FOR UPDATE',
      [projectId, id],
    )
    return row === undefined ? undefined : toApiKey(row)
  }

  async listApiKeys(projectId: string): Promise<ApiKeyRow[]> {
    return (
      await this.#rows('SELECT * FROM api_keys WHERE project_id = $1 ORDER BY id', [projectId])
    ).map(toApiKey)
  }

  async revokeApiKey(projectId: string, id: string, revokedAt: number): Promise<void> {
    await this.#send(
      'UPDATE api_keys SET revoked_at = $3 WHERE project_id = $1 AND id = $2 AND revoked_at IS NULL',
      [projectId, id, revokedAt],
    )
  }

  async ensureCustomer(row: CustomerRow): Promise<CustomerRow> {
    const existing = await this.getCustomer(row.projectId, row.customerId)
    if (existing !== undefined) return existing
    // A row this transaction inserts is its own until commit; a concurrent insert of the same
    // customer waits on the key, then does nothing, and the SELECT … FOR UPDATE below (a new
    // snapshot) finds and locks the committed row.
    const inserted = await this.#one(
      `INSERT INTO customers (project_id, customer_id, free_units, limit_units, unlimited, period,
         metadata, period_start, used_units, reserved_units, grant_units, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (project_id, customer_id) DO NOTHING
       RETURNING *`,
      [
        row.projectId,
        row.customerId,
        row.freeUnits,
        row.limitUnits,
        row.unlimited,
        row.period,
        JSON.stringify(row.metadata),
        row.periodStart,
        row.usedUnits,
        row.reservedUnits,
        row.grantUnits,
        row.createdAt,
      ],
    )
    if (inserted !== undefined) {
      this.#heldCustomers.add(pairKey(row.projectId, row.customerId))
      return toCustomer(inserted)
    }
    const concurrent = await this.getCustomer(row.projectId, row.customerId)
    if (concurrent === undefined) throw new Error('A customer inserted concurrently vanished')
    return concurrent
  }

  async getCustomer(projectId: string, customerId: string): Promise<CustomerRow | undefined> {
    const row = await this.#one(
      'SELECT * FROM customers WHERE project_id = $1 AND customer_id = $2 FOR UPDATE',
      [projectId, customerId],
    )
    if (row === undefined) return undefined
    this.#heldCustomers.add(pairKey(projectId, customerId))
    return toCustomer(row)
  }

  async updateCustomer(row: CustomerRow): Promise<void> {
    await this.#send(
      `UPDATE customers SET free_units = $3, limit_units = $4, unlimited = $5, period = $6,
         metadata = $7, period_start = $8, used_units = $9, reserved_units = $10, grant_units = $11
       WHERE project_id = $1 AND customer_id = $2`,
      [
        row.projectId,
        row.customerId,
        row.freeUnits,
        row.limitUnits,
        row.unlimited,
        row.period,
        JSON.stringify(row.metadata),
        row.periodStart,
        row.usedUnits,
        row.reservedUnits,
        row.grantUnits,
      ],
    )
  }

  async listCustomers(projectId: string, page: CustomerListOptions): Promise<CustomerRow[]> {
    const where = new Where().add((p) => `project_id = ${p}`, projectId)
    if (page.startingAfter !== undefined) {
      where.add((p) => `customer_id > ${p}`, page.startingAfter)
    }
    if (page.search !== undefined) {
      // Under COLLATE "C", lower() folds ASCII letters only (as SQLite's), whatever the
      // database's locale; strpos() matches literally (no LIKE wildcards to escape).
      where.add((p) => `strpos(lower(customer_id), lower(${p} COLLATE "C")) > 0`, page.search)
    }
    const limit = where.parameter(page.limit + 1)
    return (
      await this.#rows(
        `SELECT * FROM customers WHERE ${where} ORDER BY customer_id LIMIT ${limit}`,
        where.values,
      )
    ).map(toCustomer)
  }

  async ensureRun(row: RunRow): Promise<RunRow> {
    const existing = await this.getRun(row.projectId, row.runId)
    if (existing !== undefined) return existing
    const inserted = await this.#one(
      `INSERT INTO runs (project_id, run_id, ceiling, used_units, reserved_units, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (project_id, run_id) DO NOTHING
       RETURNING *`,
      [row.projectId, row.runId, row.ceiling, row.usedUnits, row.reservedUnits, row.createdAt],
    )
    if (inserted !== undefined) {
      this.#heldRuns.add(pairKey(row.projectId, row.runId))
      return toRun(inserted)
    }
    const concurrent = await this.getRun(row.projectId, row.runId)
    if (concurrent === undefined) throw new Error('A run inserted concurrently vanished')
    return concurrent
  }

  async getRun(projectId: string, runId: string): Promise<RunRow | undefined> {
    const row = await this.#one(
      'SELECT * FROM runs WHERE project_id = $1 AND run_id = $2 FOR UPDATE',
      [projectId, runId],
    )
    if (row === undefined) return undefined
    this.#heldRuns.add(pairKey(projectId, runId))
    return toRun(row)
  }

  async updateRun(row: RunRow): Promise<void> {
    await this.#send(
      `UPDATE runs SET ceiling = $3, used_units = $4, reserved_units = $5
       WHERE project_id = $1 AND run_id = $2`,
      [row.projectId, row.runId, row.ceiling, row.usedUnits, row.reservedUnits],
    )
  }

  async insertReservation(row: ReservationRow): Promise<void> {
    await this.#send(
      `INSERT INTO reservations (id, project_id, customer_id, agent_id, run_id, units, status,
         expires_at, created_at, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        row.id,
        row.projectId,
        row.customerId,
        row.agentId,
        row.runId,
        row.units,
        row.status,
        row.expiresAt,
        row.createdAt,
        row.closedAt,
      ],
    )
  }

  async getReservation(projectId: string, id: string): Promise<ReservationRow | undefined> {
    const row = await this.#one(
      'SELECT * FROM reservations WHERE project_id = $1 AND id = $2 FOR UPDATE',
      [projectId, id],
    )
    return row === undefined ? undefined : toReservation(row)
  }

  async closeReservation(
    projectId: string,
    id: string,
    status: Exclude<ReservationStatus, 'open'>,
    closedAt: number,
  ): Promise<void> {
    await this.#send(
      `UPDATE reservations SET status = $3, closed_at = $4
       WHERE project_id = $1 AND id = $2 AND status = 'open'`,
      [projectId, id, status, closedAt],
    )
  }

  /**
   * Expires the due open reservations whose customer (and run) this transaction holds or can
   * lock at once, and returns them as they were. The ledger then takes each hold off its
   * customer and run, so those rows are locked here first — without waiting: a row another
   * transaction holds is skipped (`SKIP LOCKED`), and its due holds are left to that
   * transaction, the next reader or the sweep. Waiting instead could deadlock (two
   * transactions each holding a customer and expiring the other's holds). The
   * `status = 'open'` guard makes each hold expire exactly once however many instances sweep.
   */
  async expireReservations(filter: ExpireFilter): Promise<ReservationRow[]> {
    const projectWide =
      filter.projectId !== undefined &&
      filter.customerId === undefined &&
      filter.runId === undefined &&
      filter.limit === undefined
    const due = projectWide
      ? await this.#dueForProject(filter.projectId as string, filter.now)
      : await this.#due(filter)
    if (due.length === 0) return []
    const candidates = projectWide ? this.#boundOthers(due) : due

    const busyCustomers = await this.#lockWithoutWaiting(
      'customers',
      'customer_id',
      candidates.map((row) => [text(row.project_id), text(row.customer_id)]),
      this.#heldCustomers,
    )
    const busyRuns = await this.#lockWithoutWaiting(
      'runs',
      'run_id',
      candidates.flatMap((row) =>
        row.run_id === null ? [] : [[text(row.project_id), text(row.run_id)] as const],
      ),
      this.#heldRuns,
    )
    const eligible = candidates.filter(
      (row) =>
        !busyCustomers.has(pairKey(text(row.project_id), text(row.customer_id))) &&
        (row.run_id === null || !busyRuns.has(pairKey(text(row.project_id), text(row.run_id)))),
    )
    if (eligible.length === 0) return []
    const expired = await this.#rows(
      `UPDATE reservations r SET status = 'expired', closed_at = $1
       FROM (
         SELECT project_id, id FROM reservations
         WHERE (project_id, id) IN (SELECT * FROM unnest($2::text[], $3::text[]))
           AND status = 'open' AND expires_at <= $1
         FOR UPDATE SKIP LOCKED
       ) due
       WHERE r.project_id = due.project_id AND r.id = due.id AND r.status = 'open'
       RETURNING r.*`,
      [
        filter.now,
        eligible.map((row) => text(row.project_id)),
        eligible.map((row) => text(row.id)),
      ],
    )
    return expired
      .map((row) => ({ ...toReservation(row), status: 'open' as const, closedAt: null }))
      .sort((left, right) => left.expiresAt - right.expiresAt || compare(left.id, right.id))
  }

  /** Due open holds matching the filter (the sweep's, or a customer's or run's). */
  #due(filter: ExpireFilter): Promise<Row[]> {
    const where = new Where()
      .constant(`status = 'open'`)
      .add((p) => `expires_at <= ${p}`, filter.now)
    if (filter.projectId !== undefined) where.add((p) => `project_id = ${p}`, filter.projectId)
    if (filter.customerId !== undefined) where.add((p) => `customer_id = ${p}`, filter.customerId)
    if (filter.runId !== undefined) where.add((p) => `run_id = ${p}`, filter.runId)
    const limit = filter.limit === undefined ? '' : ` LIMIT ${where.parameter(filter.limit)}`
    return this.#rows(
      `SELECT project_id, id, customer_id, run_id, expires_at FROM reservations WHERE ${where}
       ORDER BY expires_at${limit}`,
      where.values,
    )
  }

  /**
   * A project's due holds for a read-time expiry, in one statement: all those of the
   * customers and runs this transaction holds, and the earliest others (enough to choose
   * {@link MAX_OTHER_CUSTOMERS} customers from; a mass expiry is not read whole by every
   * request). Earliest first.
   */
  async #dueForProject(projectId: string, now: number): Promise<Row[]> {
    const ids = (held: Set<string>) =>
      [...held].flatMap((key) => {
        const [project, id] = key.split('\u0000') as [string, string]
        return project === projectId ? [id] : []
      })
    const rows = await this.#rows(
      `SELECT project_id, id, customer_id, run_id, expires_at FROM reservations
       WHERE project_id = $1 AND status = 'open' AND expires_at <= $2
         AND (customer_id = ANY($3::text[]) OR run_id = ANY($4::text[]))
       UNION
       (SELECT project_id, id, customer_id, run_id, expires_at FROM reservations
        WHERE project_id = $1 AND status = 'open' AND expires_at <= $2
        ORDER BY expires_at LIMIT ${MAX_OTHER_CUSTOMERS * 16})`,
      [projectId, now, ids(this.#heldCustomers), ids(this.#heldRuns)],
    )
    return rows.sort(
      (left, right) =>
        integer(left.expires_at) - integer(right.expires_at) ||
        compare(text(left.id), text(right.id)),
    )
  }

  /**
   * The due holds a read-time expiry of the whole project takes: every hold of a customer this
   * transaction holds, then those in runs it holds, then those of at most
   * {@link MAX_OTHER_CUSTOMERS} other customers (earliest due first). Locking every other
   * customer with a due hold would make one request hold many customers' rows to its commit
   * and the requests for those customers queue behind it. The rest wait for the reads of
   * their own customers (which expire them first) and the background sweep.
   */
  #boundOthers(due: Row[]): Row[] {
    const others = new Set<string>()
    const own = (row: Row) =>
      this.#heldCustomers.has(pairKey(text(row.project_id), text(row.customer_id)))
    const inHeldRun = (row: Row) =>
      row.run_id !== null && this.#heldRuns.has(pairKey(text(row.project_id), text(row.run_id)))
    for (const row of [...due.filter(inHeldRun), ...due]) {
      if (others.size >= MAX_OTHER_CUSTOMERS) break
      if (!own(row)) others.add(pairKey(text(row.project_id), text(row.customer_id)))
    }
    return due.filter(
      (row) => own(row) || others.has(pairKey(text(row.project_id), text(row.customer_id))),
    )
  }

  /**
   * Locks the existing rows of `table` with these keys that nobody else holds (rows this
   * transaction holds count as locked, and are added to `held`). Returns the keys of rows that
   * exist but another transaction holds; a key with no row is not busy (nothing to contend on).
   */
  async #lockWithoutWaiting(
    table: 'customers' | 'runs',
    column: 'customer_id' | 'run_id',
    pairs: ReadonlyArray<readonly [string, string]>,
    held: Set<string>,
  ): Promise<Set<string>> {
    const unique = new Map(
      pairs
        .filter(([projectId, id]) => !held.has(pairKey(projectId, id)))
        .map(([projectId, id]) => [pairKey(projectId, id), [projectId, id]]),
    )
    if (unique.size === 0) return new Set()
    const projectIds = [...unique.values()].map(([projectId]) => projectId)
    const ids = [...unique.values()].map(([, id]) => id)
    const match = `(project_id, ${column}) IN (SELECT * FROM unnest($1::text[], $2::text[]))`
    const locked = await this.#rows(
      `SELECT project_id, ${column} AS id FROM ${table} WHERE ${match}
       ORDER BY project_id, ${column} FOR UPDATE SKIP LOCKED`,
      [projectIds, ids],
    )
    const lockedKeys = new Set(locked.map((row) => pairKey(text(row.project_id), text(row.id))))
    for (const key of lockedKeys) held.add(key)
    if (locked.length === unique.size) return new Set()
    const existing = await this.#rows(
      `SELECT project_id, ${column} AS id FROM ${table} WHERE ${match}`,
      [projectIds, ids],
    )
    return new Set(
      existing
        .map((row) => pairKey(text(row.project_id), text(row.id)))
        .filter((key) => !lockedKeys.has(key)),
    )
  }

  async insertEvent(row: EventRow): Promise<void> {
    await this.#insert(
      row.idempotencyKey,
      `INSERT INTO events (id, project_id, customer_id, agent_id, run_id, units, metadata,
         idempotency_key, reservation_id, reservation_status, remaining_units, overage_units, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        row.id,
        row.projectId,
        row.customerId,
        row.agentId,
        row.runId,
        row.units,
        JSON.stringify(row.metadata),
        row.idempotencyKey,
        row.reservationId,
        row.reservationStatus,
        row.remainingUnits,
        row.overageUnits,
        row.createdAt,
      ],
    )
  }

  async findEventByIdempotencyKey(projectId: string, key: string): Promise<EventRow | undefined> {
    const row = await this.#one(
      'SELECT * FROM events WHERE project_id = $1 AND idempotency_key = $2',
      [projectId, key],
    )
    return row === undefined ? undefined : toEvent(row)
  }

  async listEvents(projectId: string, filter: ActivityFilter): Promise<EventRow[]> {
    const where = activityWhere(projectId, filter)
    const limit = where.parameter(filter.limit + 1)
    return (
      await this.#rows(
        `SELECT * FROM events WHERE ${where} ORDER BY id DESC LIMIT ${limit}`,
        where.values,
      )
    ).map(toEvent)
  }

  async recentEventUnits(projectId: string, agentId: string, count: number): Promise<number[]> {
    return (
      await this.#rows(
        'SELECT units FROM events WHERE project_id = $1 AND agent_id = $2 ORDER BY id DESC LIMIT $3',
        [projectId, agentId, count],
      )
    ).map((row) => integer(row.units))
  }

  async sumEventUnits(projectId: string, customerId: string, since: number): Promise<number> {
    return integer(
      (
        await this.#one(
          `SELECT coalesce(sum(units), 0)::bigint AS total FROM events
           WHERE project_id = $1 AND customer_id = $2 AND created_at >= $3`,
          [projectId, customerId, since],
        )
      )?.total,
    )
  }

  async insertDecision(row: DecisionRow): Promise<void> {
    await this.#insert(
      row.idempotencyKey,
      `INSERT INTO decisions (id, project_id, customer_id, agent_id, run_id, approved, reason,
         estimated_units, estimate_source, ceiling, remaining_units, run_remaining_units,
         reservation_id, expires_at, idempotency_key, request_digest, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
        row.id,
        row.projectId,
        row.customerId,
        row.agentId,
        row.runId,
        row.approved,
        row.reason,
        row.estimatedUnits,
        row.estimateSource,
        row.ceiling,
        row.remainingUnits,
        row.runRemainingUnits,
        row.reservationId,
        row.expiresAt,
        row.idempotencyKey,
        row.requestDigest,
        row.createdAt,
      ],
    )
  }

  async findDecisionByIdempotencyKey(
    projectId: string,
    key: string,
  ): Promise<DecisionRow | undefined> {
    const row = await this.#one(
      'SELECT * FROM decisions WHERE project_id = $1 AND idempotency_key = $2',
      [projectId, key],
    )
    return row === undefined ? undefined : toDecision(row)
  }

  async listDecisions(projectId: string, filter: DecisionFilter): Promise<DecisionRow[]> {
    const where = activityWhere(projectId, filter)
    // A literal, not a parameter: a generic plan can use the blocked-only partial index
    // (migration 3) only when the query states its condition.
    if (filter.approved !== undefined) where.constant(filter.approved ? 'approved' : 'NOT approved')
    const limit = where.parameter(filter.limit + 1)
    return (
      await this.#rows(
        `SELECT * FROM decisions WHERE ${where} ORDER BY id DESC LIMIT ${limit}`,
        where.values,
      )
    ).map(toDecision)
  }

  async insertGrant(row: GrantRow): Promise<void> {
    await this.#insert(
      row.idempotencyKey,
      `INSERT INTO grants (id, project_id, customer_id, units, reason, idempotency_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        row.id,
        row.projectId,
        row.customerId,
        row.units,
        row.reason,
        row.idempotencyKey,
        row.createdAt,
      ],
    )
  }

  async findGrantByIdempotencyKey(projectId: string, key: string): Promise<GrantRow | undefined> {
    const row = await this.#one(
      'SELECT * FROM grants WHERE project_id = $1 AND idempotency_key = $2',
      [projectId, key],
    )
    return row === undefined ? undefined : toGrant(row)
  }

  async sumGrantUnits(projectId: string, customerId: string, since: number): Promise<number> {
    return integer(
      (
        await this.#one(
          `SELECT coalesce(sum(units), 0)::bigint AS total FROM grants
           WHERE project_id = $1 AND customer_id = $2 AND created_at >= $3`,
          [projectId, customerId, since],
        )
      )?.total,
    )
  }

  async usage(projectId: string, query: UsageQuery): Promise<UsageRow[]> {
    const where = activityWhere(projectId, {
      limit: 0,
      since: query.since,
      until: query.until,
      customerId: query.customerId,
      agentId: query.agentId,
      minId: query.minId,
    })
    const names = query.groupBy.map((dimension) => GROUP_COLUMNS[dimension].name)
    const rows = await this.#rows(
      `SELECT ${query.groupBy.map((dimension) => GROUP_COLUMNS[dimension].select).join(', ')},
         sum(units)::bigint AS units, count(*) AS events FROM events
       WHERE ${where} GROUP BY ${names.join(', ')} ORDER BY ${orderBy(names)}`,
      where.values,
    )
    return rows.map((row) => {
      const result: UsageRow = { units: integer(row.units), events: integer(row.events) }
      if (row.day !== undefined) result.day = text(row.day)
      if (row.agent_id !== undefined) result.agentId = text(row.agent_id)
      if (row.customer_id !== undefined) result.customerId = text(row.customer_id)
      return result
    })
  }

  async decisionSummary(
    projectId: string,
    query: DecisionSummaryQuery,
  ): Promise<DecisionSummaryRow[]> {
    const where = activityWhere(projectId, {
      limit: 0,
      since: query.since,
      until: query.until,
      customerId: query.customerId,
      agentId: query.agentId,
      minId: query.minId,
    })
    if (query.approved !== undefined) where.constant(query.approved ? 'approved' : 'NOT approved')
    const names = query.groupBy.map((dimension) => GROUP_COLUMNS[dimension].name)
    const rows = await this.#rows(
      `SELECT ${query.groupBy.map((dimension) => GROUP_COLUMNS[dimension].select).join(', ')},
         count(*) AS decisions, sum(estimated_units)::bigint AS estimated_units FROM decisions
       WHERE ${where} GROUP BY ${names.join(', ')} ORDER BY ${orderBy(names)}`,
      where.values,
    )
    return rows.map((row) => {
      const result: DecisionSummaryRow = {
        decisions: integer(row.decisions),
        estimatedUnits: integer(row.estimated_units),
      }
      if (row.day !== undefined) result.day = text(row.day)
      if (row.agent_id !== undefined) result.agentId = text(row.agent_id)
      if (row.customer_id !== undefined) result.customerId = text(row.customer_id)
      if (row.reason !== undefined) {
        result.reason = nullableText(row.reason) as DecisionSummaryRow['reason']
      }
      return result
    })
  }

  async insertSession(row: SessionRow): Promise<void> {
    await this.#send(
      `INSERT INTO sessions (token_hash, project_id, key_id, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [row.tokenHash, row.projectId, row.keyId, row.createdAt, row.expiresAt],
    )
  }

  async findSessionByHash(
    tokenHash: string,
  ): Promise<{ session: SessionRow; key: ApiKeyRow; project: ProjectRow } | undefined> {
    // Read on every dashboard request (no cache): a revoked key ends its sessions at once.
    const row = await this.#one(
      `SELECT s.token_hash, s.key_id, s.created_at AS session_created_at, s.expires_at,
         k.project_id, k.name AS key_name, k.scope, k.key_hash, k.prefix, k.last4,
         k.created_at AS key_created_at, k.revoked_at, p.name, p.free_units, p.upgrade_url,
         p.default_ttl_seconds, p.created_at
       FROM sessions s JOIN api_keys k ON k.id = s.key_id JOIN projects p ON p.id = k.project_id
       WHERE s.token_hash = $1`,
      [tokenHash],
    )
    if (row === undefined) return undefined
    const project = toProject({ ...row, id: row.project_id })
    this.#projectsRead.set(project.id, { ...project })
    return {
      session: {
        tokenHash: text(row.token_hash),
        projectId: text(row.project_id),
        keyId: text(row.key_id),
        createdAt: integer(row.session_created_at),
        expiresAt: integer(row.expires_at),
      },
      key: toApiKey({ ...row, id: row.key_id, name: row.key_name, created_at: row.key_created_at }),
      project,
    }
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.#send('DELETE FROM sessions WHERE token_hash = $1', [tokenHash])
  }

  async deleteExpiredSessions(now: number, limit: number): Promise<number> {
    // Several instances may clean up at once: each takes rows nobody else is deleting.
    const deleted = await this.#rows(
      `DELETE FROM sessions WHERE token_hash IN (
         SELECT token_hash FROM sessions WHERE expires_at <= $1
         ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ) RETURNING token_hash`,
      [now, limit],
    )
    return deleted.length
  }
}

/** Grouping columns of usage and decision summaries. */
const GROUP_COLUMNS = {
  // Whole seconds since the epoch, as SQLite's strftime('%Y-%m-%d', created_at / 1000, 'unixepoch').
  day: {
    select: `to_char(timestamp '1970-01-01' + (created_at / 1000) * interval '1 second', 'YYYY-MM-DD') AS day`,
    name: 'day',
  },
  agent: { select: 'agent_id', name: 'agent_id' },
  customer: { select: 'customer_id', name: 'customer_id' },
  reason: { select: 'reason', name: 'reason' },
} as const

/** SQLite sorts NULL first; PostgreSQL last unless told. */
function orderBy(names: readonly string[]): string {
  return names.map((name) => `${name} NULLS FIRST`).join(', ')
}

/** The error a failed statement surfaces as to the ledger. */
export function storeError(failure: TransactionFailure): Error {
  if (failure.kind === 'conflict') return new StoreConflictError('The idempotency key is taken')
  if (failure.kind === 'unavailable') {
    return new StoreUnavailableError('The database is unreachable', { cause: failure.error })
  }
  return failure.error instanceof Error ? failure.error : new Error(String(failure.error))
}

/** How many customers besides its own a read-time expiry may lock (see `#boundOthers`). */
const MAX_OTHER_CUSTOMERS = 16

function pairKey(projectId: string, id: string): string {
  return `${projectId}\u0000${id}`
}

/** Byte order, as SQLite and `COLLATE "C"` compare (ids are ASCII). */
function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0
}

/** The part of a socket that {@link PostgresTransaction.gather} uses. */
interface Corkable {
  cork(): void
  uncork(): void
}

/** pg's socket of a client (`client.connection.stream`), when it can be corked. */
function socketOf(client: PoolClient): Corkable | undefined {
  const stream = (client as unknown as { connection?: { stream?: Partial<Corkable> } }).connection
    ?.stream
  return typeof stream?.cork === 'function' && typeof stream.uncork === 'function'
    ? (stream as Corkable)
    : undefined
}
