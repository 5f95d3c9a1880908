import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { activityConditions } from './activity-filter.js'
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
import { GroupCommit } from './sqlite-group-commit.js'
import { sqliteMigrations } from './sqlite-migrations.js'
import { createSqliteWebhookTransaction } from './sqlite-webhooks.js'
import {
  type ActivityFilter,
  type CustomerListOptions,
  type CustomerRow,
  type DecisionFilter,
  type DecisionSummaryQuery,
  type DecisionSummaryRow,
  type ExpireFilter,
  type ReservationRow,
  type SessionRow,
  type Store,
  StoreConflictError,
  type StoreTransaction,
  type UsageQuery,
  type UsageRow,
} from './store.js'

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file; `:memory:` for a database that lives as long as the process. */
  path: string
  /**
   * `FULL`: no answer before its commit is on disk (survives power loss: billing data).
   * `NORMAL`: answers after the commit reaches the OS (survives a process crash; the last
   * commits may be lost on power loss); faster.
   * @default 'FULL'
   */
  synchronous?: 'FULL' | 'NORMAL'
  /**
   * How `FULL` reaches the disk. `background`: SQLite runs with `synchronous=NORMAL` (WAL
   * synced at checkpoints) and each group's WAL writes are fdatasync'ed in libuv's thread pool
   * before any of its answers, while the event loop goes on with the next group. `inline`:
   * SQLite's own `synchronous=FULL`, which fsyncs inside COMMIT and blocks the event loop.
   * Both acknowledge only durable commits. Ignored for a `:memory:` database.
   * @default 'background'
   */
  fsync?: 'background' | 'inline'
  /**
   * How long a write waits for another process's lock before failing.
   * @default 5000
   */
  busyTimeoutMs?: number
  /**
   * At most this many request transactions share one database transaction.
   * @default 1000
   */
  maxGroupSize?: number
  /**
   * With background fsync: let the next group commit while the previous one's fsync runs
   * (`true`: the event loop never idles while requests wait; measured faster and with a lower
   * p99 here), or gather everything that arrives during an fsync into one group (`false`).
   * Either way no answer leaves before an fsync that covers its commit.
   * @default true
   */
  overlapCommits?: boolean
}

type Statement = Database.Statement<unknown[], Row>

/**
 * The embedded store: one better-sqlite3 connection in WAL mode, all transactions through a
 * {@link GroupCommit}. Reads go through the same queue as writes, so a read never sees another
 * request's writes before they are durable.
 */
export class SqliteStore implements Store {
  readonly #db: Database.Database
  readonly #statements = new Map<string, Statement>()
  readonly #groupCommit: GroupCommit<StoreTransaction>
  readonly #path: string
  #walDescriptor: number | undefined
  #closed = false

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ':memory:' && options.path !== '') {
      mkdirSync(dirname(options.path), { recursive: true })
    }
    this.#path = options.path
    this.#db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 5000 })
    const inMemory = this.#db.memory
    const synchronous = options.synchronous ?? 'FULL'
    const background =
      !inMemory && synchronous === 'FULL' && (options.fsync ?? 'background') === 'background'
    this.#db.pragma('journal_mode = WAL')
    // In WAL mode NORMAL syncs the WAL before each checkpoint and the database after it, so
    // checkpoints stay safe; with `background` the per-commit sync is ours (see `#sync`).
    this.#db.pragma(`synchronous = ${background ? 'NORMAL' : synchronous}`)
    this.#db.pragma('foreign_keys = ON')
    // 64 MiB of page cache: index pages of a growing ledger stay in memory between commits.
    this.#db.pragma('cache_size = -65536')
    // Checkpoints run inside a commit on this thread and fsync twice; 4,000 pages (16 MiB at
    // the default page size) makes them 4× rarer than SQLite's default while keeping the WAL
    // bounded (the RETURNING-through-.get() trap that stops checkpoints is avoided below).
    this.#db.pragma('wal_autocheckpoint = 4000')
    this.#migrate()
    const db = this.#db
    const totalChanges = db.prepare<[], { changes: number }>('SELECT total_changes() AS changes')
    const begin = db.prepare('BEGIN IMMEDIATE')
    const commit = db.prepare('COMMIT')
    const rollback = db.prepare('ROLLBACK')
    const savepoint = db.prepare('SAVEPOINT request')
    const release = db.prepare('RELEASE request')
    const rollbackTo = db.prepare('ROLLBACK TO request')
    this.#groupCommit = new GroupCommit<StoreTransaction>(
      {
        begin: () => begin.run(),
        commit: () => commit.run(),
        rollback: () => rollback.run(),
        savepoint: () => savepoint.run(),
        releaseSavepoint: () => release.run(),
        rollbackToSavepoint: () => rollbackTo.run(),
        get inTransaction() {
          return db.inTransaction
        },
        totalChanges: () => totalChanges.get()?.changes ?? 0,
        ...(background
          ? { sync: (callback: (error: Error | null) => void) => this.#sync(callback) }
          : {}),
      },
      this.#createTransaction(),
      options.maxGroupSize ?? 1000,
      options.overlapCommits ?? true,
    )
  }

  /** Groups committed so far and the request transactions in them (for metrics). */
  get groupStats(): { groups: number; transactions: number } {
    return { groups: this.#groupCommit.groups, transactions: this.#groupCommit.transactions }
  }

  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The store is closed'))
    return this.#groupCommit.run(fn)
  }

  async ping(): Promise<boolean> {
    if (this.#closed) return false
    try {
      const row = this.#db.prepare<[], { ok: number }>('SELECT 1 AS ok').get()
      return row?.ok === 1
    } catch {
      return false
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#groupCommit.idle()
    this.#db.close()
    if (this.#walDescriptor !== undefined) closeSync(this.#walDescriptor)
  }

  /** fdatasync of the WAL file in libuv's thread pool (any descriptor of a file syncs it). */
  #sync(callback: (error: Error | null) => void): void {
    try {
      if (this.#walDescriptor === undefined) {
        this.#walDescriptor = openSync(`${this.#path}-wal`, 'r')
        // The WAL's directory entry must be durable too; once is enough.
        const directory = openSync(dirname(this.#path), 'r')
        try {
          fsyncSync(directory)
        } finally {
          closeSync(directory)
        }
      }
    } catch (error) {
      callback(error as Error)
      return
    }
    fdatasync(this.#walDescriptor, (error) => callback(error))
  }

  #migrate(): void {
    const version = this.#db.pragma('user_version', { simple: true }) as number
    for (let index = version; index < sqliteMigrations.length; index++) {
      const migration = sqliteMigrations[index] as string
      this.#db.transaction(() => {
        this.#db.exec(migration)
        this.#db.pragma(`user_version = ${index + 1}`)
      })()
    }
  }

  #statement(sql: string): Statement {
    let statement = this.#statements.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare<unknown[], Row>(sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }

  // Only SELECTs use .get(): a RETURNING statement read with .get() stays open and stops
  // WAL checkpoints (integrations.md), so writes use .run() or .all().
  #get(sql: string, ...parameters: unknown[]): Row | undefined {
    return this.#statement(sql).get(...parameters)
  }

  #all(sql: string, ...parameters: unknown[]): Row[] {
    return this.#statement(sql).all(...parameters)
  }

  #run(sql: string, ...parameters: unknown[]): void {
    this.#statement(sql).run(...parameters)
  }

  /** An insert whose unique idempotency key may be taken: that is a {@link StoreConflictError}. */
  #insertUnique(sql: string, ...parameters: unknown[]): void {
    try {
      this.#statement(sql).run(...parameters)
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new StoreConflictError('The idempotency key is taken')
      }
      throw error
    }
  }

  #createTransaction(): StoreTransaction {
    const get = this.#get.bind(this)
    const all = this.#all.bind(this)
    const run = this.#run.bind(this)
    const insertUnique = this.#insertUnique.bind(this)

    const activityWhere = (projectId: string, filter: ActivityFilter) => {
      const conditions = activityConditions(projectId, filter)
      return {
        clauses: conditions.map((condition) => `${condition.test} ?`),
        parameters: conditions.map((condition) => condition.value),
      }
    }

    // Blocked decisions are few: read them through their partial index (migration 3). SQLite
    // would otherwise scan the primary key (the table itself, so it looks as cheap without
    // statistics) through every approved decision. The index's condition is written as a
    // literal (`approved = 0`) in the query, so INDEXED BY always applies.
    const blockedOnly = (approved: boolean | undefined) =>
      approved === false ? 'INDEXED BY decisions_blocked' : ''

    const insertCustomer = (row: CustomerRow) =>
      run(
        `INSERT INTO customers (project_id, customer_id, free_units, limit_units, unlimited, period,
          metadata, period_start, used_units, reserved_units, grant_units, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        row.projectId,
        row.customerId,
        row.freeUnits,
        row.limitUnits,
        row.unlimited ? 1 : 0,
        row.period,
        JSON.stringify(row.metadata),
        row.periodStart,
        row.usedUnits,
        row.reservedUnits,
        row.grantUnits,
        row.createdAt,
      )

    const getCustomer = (projectId: string, customerId: string) => {
      const row = get(
        'SELECT * FROM customers WHERE project_id = ? AND customer_id = ?',
        projectId,
        customerId,
      )
      return row === undefined ? undefined : toCustomer(row)
    }

    const getRun = (projectId: string, runId: string) => {
      const row = get('SELECT * FROM runs WHERE project_id = ? AND run_id = ?', projectId, runId)
      return row === undefined ? undefined : toRun(row)
    }

    return {
      countProjects: async () => integer(get('SELECT count(*) AS count FROM projects')?.count),
      insertProject: async (row) =>
        run(
          'INSERT INTO projects (id, name, free_units, upgrade_url, default_ttl_seconds, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          row.id,
          row.name,
          row.freeUnits,
          row.upgradeUrl,
          row.defaultTtlSeconds,
          row.createdAt,
        ),
      getProject: async (id) => {
        const row = get('SELECT * FROM projects WHERE id = ?', id)
        return row === undefined ? undefined : toProject(row)
      },
      updateProject: async (row) =>
        run(
          'UPDATE projects SET name = ?, free_units = ?, upgrade_url = ?, default_ttl_seconds = ? WHERE id = ?',
          row.name,
          row.freeUnits,
          row.upgradeUrl,
          row.defaultTtlSeconds,
          row.id,
        ),

      insertApiKey: async (row) =>
        run(
          `INSERT INTO api_keys (id, project_id, name, scope, key_hash, prefix, last4, created_at, revoked_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          row.id,
          row.projectId,
          row.name,
          row.scope,
          row.keyHash,
          row.prefix,
          row.last4,
          row.createdAt,
          row.revokedAt,
        ),
      findApiKeyByHash: async (keyHash) => {
        // One statement on the hot path of every request: the key and its project.
        const row = get(
          `SELECT k.id, k.project_id, k.name AS key_name, k.scope, k.key_hash, k.prefix, k.last4,
             k.created_at AS key_created_at, k.revoked_at, p.name, p.free_units, p.upgrade_url,
             p.default_ttl_seconds, p.created_at
           FROM api_keys k JOIN projects p ON p.id = k.project_id WHERE k.key_hash = ?`,
          keyHash,
        )
        if (row === undefined) return undefined
        return {
          key: toApiKey({ ...row, name: row.key_name, created_at: row.key_created_at }),
          project: toProject({ ...row, id: row.project_id }),
        }
      },
      getApiKey: async (projectId, id) => {
        const row = get('SELECT * FROM api_keys WHERE project_id = ? AND id = ?', projectId, id)
        return row === undefined ? undefined : toApiKey(row)
      },
      listApiKeys: async (projectId) =>
        all('SELECT * FROM api_keys WHERE project_id = ? ORDER BY id', projectId).map(toApiKey),
      revokeApiKey: async (projectId, id, revokedAt) =>
        run(
          'UPDATE api_keys SET revoked_at = ? WHERE project_id = ? AND id = ? AND revoked_at IS NULL',
          revokedAt,
          projectId,
          id,
        ),

      ensureCustomer: async (row) => {
        const existing = getCustomer(row.projectId, row.customerId)
        if (existing !== undefined) return existing
        insertCustomer(row)
        return { ...row }
      },
      getCustomer: async (projectId, customerId) => getCustomer(projectId, customerId),
      updateCustomer: async (row) =>
        run(
          `UPDATE customers SET free_units = ?, limit_units = ?, unlimited = ?, period = ?, metadata = ?,
            period_start = ?, used_units = ?, reserved_units = ?, grant_units = ?
           WHERE project_id = ? AND customer_id = ?`,
          row.freeUnits,
          row.limitUnits,
          row.unlimited ? 1 : 0,
          row.period,
          JSON.stringify(row.metadata),
          row.periodStart,
          row.usedUnits,
          row.reservedUnits,
          row.grantUnits,
          row.projectId,
          row.customerId,
        ),
      listCustomers: async (projectId, page: CustomerListOptions) => {
        const clauses = ['project_id = ?']
        const parameters: unknown[] = [projectId]
        if (page.startingAfter !== undefined) {
          clauses.push('customer_id > ?')
          parameters.push(page.startingAfter)
        }
        if (page.search !== undefined) {
          // SQLite's lower() folds ASCII letters only, which is the documented rule; instr()
          // matches literally (no LIKE wildcards to escape).
          clauses.push('instr(lower(customer_id), lower(?)) > 0')
          parameters.push(page.search)
        }
        return all(
          `SELECT * FROM customers WHERE ${clauses.join(' AND ')} ORDER BY customer_id LIMIT ?`,
          ...parameters,
          page.limit + 1,
        ).map(toCustomer)
      },

      ensureRun: async (row) => {
        const existing = getRun(row.projectId, row.runId)
        if (existing !== undefined) return existing
        run(
          'INSERT INTO runs (project_id, run_id, ceiling, used_units, reserved_units, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          row.projectId,
          row.runId,
          row.ceiling,
          row.usedUnits,
          row.reservedUnits,
          row.createdAt,
        )
        return { ...row }
      },
      getRun: async (projectId, runId) => getRun(projectId, runId),
      updateRun: async (row) =>
        run(
          'UPDATE runs SET ceiling = ?, used_units = ?, reserved_units = ? WHERE project_id = ? AND run_id = ?',
          row.ceiling,
          row.usedUnits,
          row.reservedUnits,
          row.projectId,
          row.runId,
        ),

      insertReservation: async (row) =>
        run(
          `INSERT INTO reservations (id, project_id, customer_id, agent_id, run_id, units, status,
            expires_at, created_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        ),
      getReservation: async (projectId, id) => {
        const row = get('SELECT * FROM reservations WHERE project_id = ? AND id = ?', projectId, id)
        return row === undefined ? undefined : toReservation(row)
      },
      closeReservation: async (projectId, id, status, closedAt) =>
        run(
          `UPDATE reservations SET status = ?, closed_at = ? WHERE project_id = ? AND id = ? AND status = 'open'`,
          status,
          closedAt,
          projectId,
          id,
        ),
      expireReservations: async (filter: ExpireFilter) => {
        if (filter.projectId === undefined) {
          // Across projects (the sweep): project by project, so the index is used.
          const expired: ReservationRow[] = []
          for (const project of all('SELECT id FROM projects ORDER BY id')) {
            const remaining = filter.limit === undefined ? undefined : filter.limit - expired.length
            if (remaining !== undefined && remaining <= 0) break
            expired.push(
              ...(await this.#createTransaction().expireReservations({
                ...filter,
                projectId: text(project.id),
                limit: remaining,
              })),
            )
          }
          return expired
        }
        const clauses = ['project_id = ?', `status = 'open'`, 'expires_at <= ?']
        const parameters: unknown[] = [filter.projectId, filter.now]
        if (filter.customerId !== undefined) {
          clauses.push('customer_id = ?')
          parameters.push(filter.customerId)
        }
        if (filter.runId !== undefined) {
          clauses.push('run_id = ?')
          parameters.push(filter.runId)
        }
        const limit =
          filter.limit === undefined ? '' : ` ORDER BY expires_at LIMIT ${Number(filter.limit)}`
        const due = all(
          `SELECT * FROM reservations WHERE ${clauses.join(' AND ')}${limit}`,
          ...parameters,
        )
        for (const row of due) {
          run(
            `UPDATE reservations SET status = 'expired', closed_at = ? WHERE project_id = ? AND id = ?`,
            filter.now,
            row.project_id,
            row.id,
          )
        }
        return due.map(toReservation)
      },

      insertEvent: async (row) =>
        insertUnique(
          `INSERT INTO events (id, project_id, customer_id, agent_id, run_id, units, metadata,
            idempotency_key, reservation_id, reservation_status, remaining_units, overage_units, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        ),
      findEventByIdempotencyKey: async (projectId, key) => {
        const row = get(
          'SELECT * FROM events WHERE project_id = ? AND idempotency_key = ?',
          projectId,
          key,
        )
        return row === undefined ? undefined : toEvent(row)
      },
      listEvents: async (projectId, filter) => {
        const { clauses, parameters } = activityWhere(projectId, filter)
        return all(
          `SELECT * FROM events WHERE ${clauses.join(' AND ')} ORDER BY id DESC LIMIT ?`,
          ...parameters,
          filter.limit + 1,
        ).map(toEvent)
      },
      recentEventUnits: async (projectId, agentId, count) =>
        all(
          'SELECT units FROM events WHERE project_id = ? AND agent_id = ? ORDER BY id DESC LIMIT ?',
          projectId,
          agentId,
          count,
        ).map((row) => integer(row.units)),
      sumEventUnits: async (projectId, customerId, since) =>
        integer(
          get(
            'SELECT coalesce(sum(units), 0) AS total FROM events WHERE project_id = ? AND customer_id = ? AND created_at >= ?',
            projectId,
            customerId,
            since,
          )?.total,
        ),

      insertDecision: async (row) =>
        insertUnique(
          `INSERT INTO decisions (id, project_id, customer_id, agent_id, run_id, approved, reason,
            estimated_units, estimate_source, ceiling, remaining_units, run_remaining_units,
            reservation_id, expires_at, idempotency_key, request_digest, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          row.id,
          row.projectId,
          row.customerId,
          row.agentId,
          row.runId,
          row.approved ? 1 : 0,
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
        ),
      findDecisionByIdempotencyKey: async (projectId, key) => {
        const row = get(
          'SELECT * FROM decisions WHERE project_id = ? AND idempotency_key = ?',
          projectId,
          key,
        )
        return row === undefined ? undefined : toDecision(row)
      },
      listDecisions: async (projectId, filter: DecisionFilter) => {
        const { clauses, parameters } = activityWhere(projectId, filter)
        if (filter.approved !== undefined) {
          clauses.push(filter.approved ? 'approved = 1' : 'approved = 0')
        }
        return all(
          `SELECT * FROM decisions ${blockedOnly(filter.approved)}
           WHERE ${clauses.join(' AND ')} ORDER BY id DESC LIMIT ?`,
          ...parameters,
          filter.limit + 1,
        ).map(toDecision)
      },

      insertGrant: async (row) =>
        insertUnique(
          'INSERT INTO grants (id, project_id, customer_id, units, reason, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          row.id,
          row.projectId,
          row.customerId,
          row.units,
          row.reason,
          row.idempotencyKey,
          row.createdAt,
        ),
      findGrantByIdempotencyKey: async (projectId, key) => {
        const row = get(
          'SELECT * FROM grants WHERE project_id = ? AND idempotency_key = ?',
          projectId,
          key,
        )
        return row === undefined ? undefined : toGrant(row)
      },
      sumGrantUnits: async (projectId, customerId, since) =>
        integer(
          get(
            'SELECT coalesce(sum(units), 0) AS total FROM grants WHERE project_id = ? AND customer_id = ? AND created_at >= ?',
            projectId,
            customerId,
            since,
          )?.total,
        ),

      usage: async (projectId, query: UsageQuery): Promise<UsageRow[]> => {
        const columns: string[] = []
        for (const dimension of query.groupBy) {
          if (dimension === 'day') {
            columns.push(`strftime('%Y-%m-%d', created_at / 1000, 'unixepoch') AS day`)
          } else if (dimension === 'agent') columns.push('agent_id')
          else columns.push('customer_id')
        }
        const names = query.groupBy.map((dimension) =>
          dimension === 'day' ? 'day' : dimension === 'agent' ? 'agent_id' : 'customer_id',
        )
        const { clauses, parameters } = activityWhere(projectId, {
          limit: 0,
          since: query.since,
          until: query.until,
          customerId: query.customerId,
          agentId: query.agentId,
          minId: query.minId,
        })
        const rows = all(
          `SELECT ${columns.join(', ')}, sum(units) AS units, count(*) AS events FROM events
           WHERE ${clauses.join(' AND ')} GROUP BY ${names.join(', ')} ORDER BY ${names.join(', ')}`,
          ...parameters,
        )
        return rows.map((row) => {
          const result: UsageRow = { units: integer(row.units), events: integer(row.events) }
          if (row.day !== undefined) result.day = text(row.day)
          if (row.agent_id !== undefined) result.agentId = text(row.agent_id)
          if (row.customer_id !== undefined) result.customerId = text(row.customer_id)
          return result
        })
      },

      decisionSummary: async (
        projectId,
        query: DecisionSummaryQuery,
      ): Promise<DecisionSummaryRow[]> => {
        const columnOf = {
          day: `strftime('%Y-%m-%d', created_at / 1000, 'unixepoch') AS day`,
          agent: 'agent_id',
          customer: 'customer_id',
          reason: 'reason',
        } as const
        const nameOf = { day: 'day', agent: 'agent_id', customer: 'customer_id', reason: 'reason' }
        const names = query.groupBy.map((dimension) => nameOf[dimension])
        const { clauses, parameters } = activityWhere(projectId, {
          limit: 0,
          since: query.since,
          until: query.until,
          customerId: query.customerId,
          agentId: query.agentId,
          minId: query.minId,
        })
        if (query.approved !== undefined) {
          clauses.push(query.approved ? 'approved = 1' : 'approved = 0')
        }
        const rows = all(
          `SELECT ${query.groupBy.map((dimension) => columnOf[dimension]).join(', ')},
             count(*) AS decisions, sum(estimated_units) AS estimated_units
           FROM decisions ${blockedOnly(query.approved)}
           WHERE ${clauses.join(' AND ')} GROUP BY ${names.join(', ')} ORDER BY ${names.join(', ')}`,
          ...parameters,
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
      },

      insertSession: async (row: SessionRow) =>
        run(
          'INSERT INTO sessions (token_hash, project_id, key_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
          row.tokenHash,
          row.projectId,
          row.keyId,
          row.createdAt,
          row.expiresAt,
        ),
      findSessionByHash: async (tokenHash) => {
        const row = get(
          `SELECT s.token_hash, s.key_id, s.created_at AS session_created_at, s.expires_at,
             k.project_id, k.name AS key_name, k.scope, k.key_hash, k.prefix, k.last4,
             k.created_at AS key_created_at, k.revoked_at, p.name, p.free_units, p.upgrade_url,
             p.default_ttl_seconds, p.created_at
           FROM sessions s JOIN api_keys k ON k.id = s.key_id JOIN projects p ON p.id = k.project_id
           WHERE s.token_hash = ?`,
          tokenHash,
        )
        if (row === undefined) return undefined
        return {
          session: {
            tokenHash: text(row.token_hash),
            projectId: text(row.project_id),
            keyId: text(row.key_id),
            createdAt: integer(row.session_created_at),
            expiresAt: integer(row.expires_at),
          },
          key: toApiKey({
            ...row,
            id: row.key_id,
            name: row.key_name,
            created_at: row.key_created_at,
          }),
          project: toProject({ ...row, id: row.project_id }),
        }
      },
      deleteSession: async (tokenHash) =>
        run('DELETE FROM sessions WHERE token_hash = ?', tokenHash),
      deleteExpiredSessions: async (now, limit) => {
        const due = all(
          'SELECT token_hash FROM sessions WHERE expires_at <= ? ORDER BY expires_at LIMIT ?',
          now,
          limit,
        )
        for (const row of due) run('DELETE FROM sessions WHERE token_hash = ?', row.token_hash)
        return due.length
      },

      webhooks: createSqliteWebhookTransaction({
        get,
        all,
        run: (sql, ...parameters) => this.#statement(sql).run(...parameters).changes,
      }),
    }
  }
}

/** Opens (creating and migrating when needed) a SQLite store. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options)
}
