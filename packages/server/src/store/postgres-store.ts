import { type CustomTypesConfig, Pool, type PoolClient, types } from 'pg'
import { classifyPostgresError } from './postgres-errors.js'
import { migratePostgres, quoteIdentifier } from './postgres-migrations.js'
import { PostgresTransaction, storeError, type TransactionFailure } from './postgres-transaction.js'
import type { Store, StoreTransaction } from './store.js'
import { StoreUnavailableError } from './store-unavailable-error.js'

/** Options of {@link openPostgresStore} and {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (any libpq-style URL `pg` accepts). */
  connectionString: string
  /**
   * Schema for the tables, created when missing. Without it the connection's own search path
   * decides (normally `public`).
   * @default undefined
   */
  schema?: string
  /**
   * Connections this instance keeps at most. Every request holds one for its transaction, so
   * this bounds the database work in flight per instance; several instances add up (keep the
   * sum under the server's `max_connections`).
   * @default 10
   */
  poolSize?: number
  /**
   * How long a transaction waits for a connection (a new one, or a free one from a full pool)
   * before the request gets a 503.
   * @default 5000
   */
  connectTimeoutMs?: number
  /**
   * How long one statement may go unanswered before its connection is dropped and the request
   * gets a 503 (a database that stopped answering without closing the connection).
   * @default 15000
   */
  queryTimeoutMs?: number
  /**
   * How long readiness (`ping`) waits for the database.
   * @default 2000
   */
  pingTimeoutMs?: number
  /**
   * `application_name` of the connections (shows in `pg_stat_activity`).
   * @default 'agentbill-server'
   */
  applicationName?: string
  /**
   * Send a transaction's BEGIN, and the writes whose results it does not read, without
   * waiting for each answer (pg's pipeline mode): a reserving preflight then waits for 4
   * database round trips instead of 8. `false` waits for every statement.
   * @default true
   */
  pipeline?: boolean
}

/** Counters of one store, for metrics. */
export interface PostgresStoreStats {
  /** Transactions committed. */
  committed: number
  /** Transactions run again after a deadlock, a serialization failure or a stale read. */
  retriedAfterAbort: number
  /** Transactions run again after a concurrent writer took their idempotency key. */
  retriedAfterConflict: number
  /** Transactions run again after their connection dropped before the commit. */
  retriedAfterDisconnect: number
  /** Transactions given up as {@link StoreUnavailableError} (answered 503). */
  unavailable: number
  /** Connections open, idle, and transactions waiting for one. */
  pool: { total: number; idle: number; waiting: number }
}

const BIGINT_OID = 20

/** bigint columns as JavaScript numbers: every value stored is an integer below 2^53. */
const typeParsers: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === BIGINT_OID
      ? (value: string) => Number(value)
      : types.getTypeParser(oid, format ?? 'text')) as CustomTypesConfig['getTypeParser'],
}

/** At most this many runs of one transaction after deadlocks or serialization failures. */
const MAX_ATTEMPTS_ABORTED = 5
/** At most this many runs after idempotency-key conflicts (the second run replays). */
const MAX_ATTEMPTS_CONFLICT = 3

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The PostgreSQL store: any number of server instances on one database. One pooled
 * connection and one READ COMMITTED transaction per request transaction; the rows the ledger
 * reads and writes back are locked `FOR UPDATE` ({@link PostgresTransaction}).
 *
 * A transaction's function may run more than once: after a deadlock or serialization failure
 * (the database rolled it back), after a concurrent transaction took the same idempotency key
 * (the next run finds that key and replays its result, where SQLite's serialized writers
 * would have found it the first time), and after its connection dropped before the commit
 * (on another connection, at most pool-size times). The ledger's functions only read and write through the transaction, so running
 * them again is safe. A connection that drops during the commit leaves the outcome unknown:
 * that, an unreachable database and a full pool surface as {@link StoreUnavailableError}.
 *
 * Migrations run before the first transaction, under an advisory lock, so instances may start
 * together.
 */
export class PostgresStore implements Store {
  readonly #pool: Pool
  readonly #schema: string | undefined
  readonly #pingTimeoutMs: number
  readonly #pipeline: boolean
  readonly #poolSize: number
  #migrated: Promise<void> | undefined
  #closed = false
  readonly #inFlight = new Set<Promise<unknown>>()
  readonly #stats = {
    committed: 0,
    retriedAfterAbort: 0,
    retriedAfterConflict: 0,
    retriedAfterDisconnect: 0,
    unavailable: 0,
  }

  constructor(options: PostgresStoreOptions) {
    const schema = options.schema
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new Error(`schema must be a plain SQL identifier, got "${schema}"`)
    }
    this.#schema = schema
    this.#pingTimeoutMs = options.pingTimeoutMs ?? 2000
    this.#pipeline = options.pipeline ?? true
    this.#poolSize = options.poolSize ?? 10
    this.#pool = new Pool({
      connectionString: options.connectionString,
      max: this.#poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      query_timeout: options.queryTimeoutMs ?? 15_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: options.applicationName ?? 'agentbill-server',
      types: typeParsers,
      pipeline: this.#pipeline,
      ...(schema === undefined ? {} : { options: `-c search_path=${quoteIdentifier(schema)}` }),
    })
    // An idle connection that dies (the server restarted, an administrator terminated it)
    // is dropped by the pool; the next transaction opens a new one. Without a listener the
    // error would crash the process.
    this.#pool.on('error', () => undefined)
  }

  /** Counters for metrics. */
  get stats(): PostgresStoreStats {
    return {
      ...this.#stats,
      pool: {
        total: this.#pool.totalCount,
        idle: this.#pool.idleCount,
        waiting: this.#pool.waitingCount,
      },
    }
  }

  /** Runs the migrations (once; again on the next call if the database was unreachable). */
  migrate(): Promise<void> {
    this.#migrated ??= (async () => {
      const ignore = () => undefined
      const client = await this.#connect(ignore)
      try {
        await migratePostgres(client, this.#schema)
        client.off('error', ignore)
        client.release()
      } catch (error) {
        client.off('error', ignore)
        client.release(true)
        throw classifyPostgresError(error) === 'unavailable'
          ? new StoreUnavailableError('The database is unreachable', { cause: error })
          : error
      }
    })().catch((error: unknown) => {
      this.#migrated = undefined
      throw error
    })
    return this.#migrated
  }

  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The store is closed'))
    const running = this.#run(fn)
    this.#inFlight.add(running)
    const forget = () => this.#inFlight.delete(running)
    running.then(forget, forget)
    return running
  }

  async #run<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    await this.migrate()
    let aborted = 0
    let conflicts = 0
    let disconnects = 0
    for (;;) {
      // The connection may die between statements (no query to reject it): the next statement
      // then fails on its own, and the transaction knows why.
      let lost: Error | undefined
      const onError = (error: Error) => {
        lost ??= error
      }
      const client = await this.#connect(onError)
      const tx = new PostgresTransaction(client, () => lost, this.#pipeline)
      const release = (destroy?: boolean | Error) => {
        client.off('error', onError)
        client.release(destroy)
      }
      let phase: 'begin' | 'work' | 'commit' = 'begin'
      let caught: unknown
      try {
        // Pipelined, BEGIN is not awaited: it leaves with the first statement, and its failure
        // is recorded before any later answer (answers come in order).
        tx.gather()
        const begin = client.query('BEGIN ISOLATION LEVEL READ COMMITTED').then(
          () => undefined,
          (error: unknown) => {
            tx.fail(error)
          },
        )
        if (!tx.pipelined) await begin
        phase = 'work'
        const result = await fn(tx)
        // fn may have caught a failed statement's error; the transaction is aborted all the same.
        if (lost !== undefined) tx.failure ??= { kind: 'unavailable', error: lost }
        if (tx.failure !== undefined) throw storeError(tx.failure)
        phase = 'commit'
        // The writes fn sent without waiting leave with the COMMIT, in one write.
        const committed = client.query('COMMIT')
        tx.flush()
        const commit = await committed
        // A write sent without waiting failed: PostgreSQL answered the COMMIT with a ROLLBACK.
        // (Its answer came before the COMMIT's, so the failure is recorded by now.)
        if (tx.failure !== undefined) throw storeError(tx.failure)
        if (commit.command !== 'COMMIT') throw new Error(`COMMIT answered ${commit.command}`)
        release()
        this.#stats.committed++
        return result
      } catch (error) {
        caught = error
      }
      tx.flush()
      // A statement of the transaction failed (tx.failure), or BEGIN/COMMIT did; otherwise fn
      // threw its own error (an ApiError, say): roll back and pass it on.
      const failure: TransactionFailure | undefined =
        tx.failure ??
        (phase === 'work' ? undefined : { kind: classifyPostgresError(caught), error: caught })
      if (failure?.kind === 'unavailable') {
        release(true)
        // A statement that went unanswered for queryTimeoutMs is not run again: the database
        // is too slow or gone, and the caller has waited long enough.
        const timedOut = failure.error instanceof Error && /timeout/i.test(failure.error.message)
        if (phase !== 'commit' && !timedOut && disconnects < this.#poolSize) {
          // The connection dropped before COMMIT was sent, so the server rolled back: again on
          // another connection. Pooled ones may all have died while idle (a restart, an
          // administrator's kill) before the pool heard of it; each failure drops one, and
          // when the database itself is down, opening a new one fails at once.
          disconnects++
          this.#stats.retriedAfterDisconnect++
          continue
        }
        this.#stats.unavailable++
        throw new StoreUnavailableError(
          phase === 'commit'
            ? 'The database connection dropped during the commit; the outcome is unknown'
            : 'The database is unreachable',
          { cause: failure.error },
        )
      }
      await this.#rollback(client, release)
      if (failure?.kind === 'retry') {
        if (++aborted < MAX_ATTEMPTS_ABORTED) {
          this.#stats.retriedAfterAbort++
          // A little jitter, so two deadlock victims do not meet again at once.
          await delay(Math.random() * 5 * aborted)
          continue
        }
        this.#stats.unavailable++
        throw new StoreUnavailableError(
          'The database aborted this transaction repeatedly (deadlock or serialization failure)',
          { cause: failure.error },
        )
      }
      if (failure?.kind === 'conflict' && ++conflicts < MAX_ATTEMPTS_CONFLICT) {
        this.#stats.retriedAfterConflict++
        continue
      }
      // fn's own error (for a conflict, the ledger's 409), or a failure that is a bug.
      throw caught
    }
  }

  async #rollback(client: PoolClient, release: (destroy?: boolean | Error) => void): Promise<void> {
    try {
      await client.query('ROLLBACK')
      release()
    } catch (error) {
      release(error instanceof Error ? error : true)
    }
  }

  /**
   * A pooled connection with `onError` listening for its 'error' events. The listener is
   * attached in pg's callback, synchronously as the pool hands the client over: the pool
   * removes its own listener then, and the same network read may already carry the server's
   * "terminating connection" message — unheard, that error would crash the process.
   */
  #connect(onError: (error: Error) => void): Promise<PoolClient> {
    return new Promise((resolve, reject) => {
      this.#pool.connect((error, client) => {
        if (error !== undefined && error !== null) {
          this.#stats.unavailable++
          reject(new StoreUnavailableError('The database is unreachable', { cause: error }))
          return
        }
        if (client === undefined) {
          reject(new StoreUnavailableError('The database is unreachable'))
          return
        }
        client.on('error', onError)
        resolve(client)
      })
    })
  }

  async ping(): Promise<boolean> {
    if (this.#closed) return false
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.#pingTimeoutMs)
    })
    const check = (async () => {
      try {
        await this.migrate()
        const result = await this.#pool.query<{ ok: number }>('SELECT 1 AS ok')
        return result.rows[0]?.ok === 1
      } catch {
        return false
      }
    })()
    try {
      return await Promise.race([check, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.allSettled([...this.#inFlight])
    await this.#pool.end()
  }
}

/**
 * Opens a PostgreSQL store and brings its schema up to date.
 *
 * @example
 * const store = await openPostgresStore({ connectionString: process.env.DATABASE_URL ?? '' })
 * @throws StoreUnavailableError when the database cannot be reached.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const store = new PostgresStore(options)
  try {
    await store.migrate()
  } catch (error) {
    await store.close()
    throw error
  }
  return store
}

/** True for a `postgres://` or `postgresql://` URL. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value)
}
