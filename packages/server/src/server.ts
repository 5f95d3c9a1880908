import type { AddressInfo } from 'node:net'
import { createAdaptorServer, type HttpBindings } from '@hono/node-server'
import { type Logger, pino } from 'pino'
import type { DashboardOptions } from './dashboard/register-dashboard.js'
import { type App, createApp } from './http/create-app.js'
import type { RateLimiterOptions } from './http/rate-limiter.js'
import { createProject, sweepExpiredReservations } from './ledger/ledger.js'
import { isPostgresUrl, PostgresStore, type PostgresStoreOptions } from './store/postgres-store.js'
import { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './store/sqlite-store.js'
import type { Store } from './store/store.js'
import { VERSION } from './version.js'
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js'
import { systemLookup, type WebhookLookup } from './webhooks/webhook-target.js'

/** The webhook delivery worker's settings (see `src/webhooks/`). */
export interface WebhookOptions {
  /**
   * How often the worker looks for due deliveries, in ms. A request that queues a delivery
   * wakes its own instance's worker at once.
   * @default 1000
   */
  pollIntervalMs?: number
  /**
   * Attempts in flight at once, per instance.
   * @default 8
   */
  concurrency?: number
  /**
   * Connect time-out of each attempt (TCP and TLS), in ms.
   * @default 5000
   */
  connectTimeoutMs?: number
  /**
   * Total time-out of each attempt (resolve, connect, send, answer), in ms.
   * @default 10000
   */
  timeoutMs?: number
  /**
   * How long a delivery claimed by an instance is left to it before another instance retries
   * it (if the first died), in ms.
   * @default 60000
   */
  leaseMs?: number
  /**
   * Resolves webhook host names (all addresses) for the target checks.
   * @default the system resolver (`dns.lookup`)
   */
  lookup?: WebhookLookup
  /**
   * Days a finished delivery (with its attempts and event) stays in the log; pending ones stay
   * until they finish.
   * @default 30
   */
  retentionDays?: number
}

/** Where the CLI keeps its database unless told otherwise. */
export const DEFAULT_DATABASE = './.agentbill/agentbill.db'

/** Options of {@link createServer} and {@link startServer}. */
export interface ServerOptions {
  /**
   * TCP port; `0` picks a free one.
   * @default 8787
   */
  port?: number
  /**
   * Address to listen on.
   * @default '127.0.0.1'
   */
  host?: string
  /**
   * SQLite database file, or `:memory:`; or a `postgres://` URL for the PostgreSQL store
   * (several instances on one database). Ignored when `store` is given.
   * @default './.agentbill/agentbill.db'
   */
  database?: string
  /**
   * PostgreSQL only: connections this instance keeps at most (see
   * {@link PostgresStoreOptions.poolSize}).
   * @default 10
   */
  postgresPoolSize?: number
  /**
   * SQLite durability: `FULL` survives power loss; `NORMAL` only a process crash.
   * @default 'FULL'
   */
  synchronous?: 'FULL' | 'NORMAL'
  /**
   * How FULL reaches the disk (see {@link SqliteStoreOptions.fsync}).
   * @default 'background'
   */
  fsync?: 'background' | 'inline'
  /**
   * See {@link SqliteStoreOptions.overlapCommits}.
   * @default true
   */
  overlapCommits?: boolean
  /** A store to use instead of opening `database` (it is closed with the server). */
  store?: Store
  /**
   * Structured logger, or `false` for none. Never receives a key.
   * @default pino at level 'info' on stdout
   */
  logger?: Logger | false
  /**
   * The server's clock, epoch ms.
   * @default Date.now
   */
  clock?: () => number
  /** Limits `POST /v1/register` per address. @default { max: 10, windowSeconds: 60 } */
  registerRateLimit?: RateLimiterOptions
  /**
   * The dashboard at `/` (sign-in limit, session lifetime, refresh), or `false` for none.
   * @default {}
   */
  dashboard?: DashboardOptions | false
  /**
   * How often expired reservations are swept, in ms (reads expire them too).
   * @default 5000
   */
  sweepIntervalMs?: number
  /**
   * On a database with no project, create one and return its admin key (shown once).
   * @default true
   */
  bootstrap?: boolean
  /**
   * How long `close()` waits for in-flight requests before cutting connections, in ms.
   * @default 10000
   */
  drainTimeoutMs?: number
  /**
   * Allow webhook endpoints on loopback, private (10/8, 172.16/12, 192.168/16), link-local,
   * carrier-grade NAT and unique-local addresses, for self-hosted networks. Off, such URLs are
   * refused when an endpoint is created and before every delivery (after DNS resolution).
   * Cloud metadata addresses are refused either way.
   * @default false
   */
  allowPrivateWebhookTargets?: boolean
  /**
   * The webhook delivery worker, or `false` for none in this instance (another instance on the
   * same PostgreSQL database delivers; events are still queued).
   * @default {}
   */
  webhooks?: WebhookOptions | false
}

/** The project created on a new database, with its admin key (this is the only time it shows). */
export interface BootstrapResult {
  projectId: string
  adminKey: string
}

/** A server that is built but not listening: use `fetch` in process, or `listen()`. */
export interface AgentBillServer {
  app: App
  store: Store
  /** The webhook delivery worker (started by `listen()`); `undefined` with `webhooks: false`. */
  webhooks: WebhookDispatcher | undefined
  /** The fetch handler, for in-process requests without a socket. */
  fetch: (request: Request) => Promise<Response>
  /** Creates the first project when the database has none; `null` when one exists. */
  bootstrap(): Promise<BootstrapResult | null>
  /** Starts listening; resolves with the URL. */
  listen(): Promise<{ url: string; port: number; host: string }>
  /** Stops accepting, drains in-flight requests, stops the sweep, closes the store. */
  close(): Promise<void>
}

/** A listening server. */
export interface RunningServer extends AgentBillServer {
  url: string
  port: number
  host: string
  /** Set when this start created the first project. */
  bootstrapped: BootstrapResult | null
}

function defaultLogger(): Logger {
  return pino({
    name: 'agentbill-server',
    level: 'info',
    // Keys never belong in logs; these paths cover anything that might carry one.
    redact: ['key', '*.key', 'authorization', '*.authorization', 'headers.authorization'],
  })
}

/**
 * Builds the server: opens (and migrates) the store, builds the HTTP app, and arms the
 * background sweep once listening. Nothing listens until `listen()`.
 *
 * @example
 * const server = createServer({ database: ':memory:', logger: false })
 * const response = await server.fetch(new Request('http://local/healthz'))
 */
export function createServer(options: ServerOptions = {}): AgentBillServer {
  const logger = options.logger === false ? undefined : (options.logger ?? defaultLogger())
  const clock = options.clock ?? Date.now
  const database = options.database ?? DEFAULT_DATABASE
  const store =
    options.store ??
    (isPostgresUrl(database)
      ? new PostgresStore({
          connectionString: database,
          ...(options.postgresPoolSize === undefined ? {} : { poolSize: options.postgresPoolSize }),
        })
      : openSqliteStore({
          path: database,
          synchronous: options.synchronous ?? 'FULL',
          fsync: options.fsync ?? 'background',
          overlapCommits: options.overlapCommits ?? true,
        }))
  const webhookOptions = options.webhooks === false ? undefined : (options.webhooks ?? {})
  const webhookPolicy = {
    allowPrivateTargets: options.allowPrivateWebhookTargets ?? false,
    lookup: webhookOptions?.lookup ?? systemLookup,
    lookupTimeoutMs: 5000,
  }
  const webhooks =
    webhookOptions === undefined
      ? undefined
      : new WebhookDispatcher({
          store,
          clock,
          policy: webhookPolicy,
          logger,
          ...webhookOptions,
        })
  const app = createApp({
    store,
    webhookPolicy,
    ...(webhooks === undefined ? {} : { webhookSignal: webhooks }),
    ...(logger === undefined ? {} : { logger }),
    clock,
    ...(options.registerRateLimit === undefined
      ? {}
      : { registerRateLimit: options.registerRateLimit }),
    ...(options.dashboard === undefined ? {} : { dashboard: options.dashboard }),
    clientAddress: (_request, env) =>
      (env as HttpBindings | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown',
  })
  if (store instanceof SqliteStore) {
    app.metrics.gauge(
      'agentbill_store_commits_total',
      'Database transactions committed (each holds a group of requests).',
      () => store.groupStats.groups,
    )
    app.metrics.gauge(
      'agentbill_store_request_transactions_total',
      'Request transactions committed inside those groups.',
      () => store.groupStats.transactions,
    )
  }
  if (store instanceof PostgresStore) registerPostgresMetrics(app, store)
  if (webhooks !== undefined) {
    app.metrics.gauge(
      'agentbill_webhook_attempts_total',
      'Webhook delivery attempts made by this instance.',
      () => webhooks.stats.attempts,
    )
    app.metrics.gauge(
      'agentbill_webhook_attempt_failures_total',
      'Webhook delivery attempts that failed (no 2xx: refused, timed out, error status, redirect).',
      () => webhooks.stats.failures,
    )
    app.metrics.gauge(
      'agentbill_webhook_attempts_in_flight',
      'Webhook delivery attempts waiting for an answer now.',
      () => webhooks.inFlight,
    )
  }
  const httpServer = createAdaptorServer({ fetch: app.fetch })
  let sweepTimer: NodeJS.Timeout | undefined
  let sweeping: Promise<unknown> = Promise.resolve()
  let closing: Promise<void> | undefined

  const sweep = () => {
    let deliveriesCreated = false
    sweeping = store
      .transaction((tx) =>
        sweepExpiredReservations(tx, clock(), 500, {
          deliveriesCreated: () => {
            deliveriesCreated = true
          },
        }),
      )
      .then((count) => {
        if (count > 0) logger?.debug({ count }, 'expired reservations swept')
        if (deliveriesCreated) webhooks?.deliveriesCreated()
      })
      .catch((error: unknown) => logger?.error({ err: error }, 'reservation sweep failed'))
  }

  return {
    app,
    store,
    webhooks,
    fetch: (request) => app.fetch(request),
    bootstrap: () =>
      store.transaction(async (tx) => {
        if ((await tx.countProjects()) > 0) return null
        const created = await createProject(tx, { project_name: 'Default project' }, clock())
        return { projectId: created.project.id, adminKey: created.key }
      }),
    listen: () =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject)
        httpServer.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => {
          httpServer.off('error', reject)
          const address = httpServer.address() as AddressInfo
          const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
          const url = `http://${host}:${address.port}`
          sweepTimer = setInterval(sweep, options.sweepIntervalMs ?? 5000)
          sweepTimer.unref()
          webhooks?.start()
          logger?.info({ url, version: VERSION }, 'listening')
          resolve({ url, port: address.port, host: address.address })
        })
      }),
    close: () => {
      closing ??= (async () => {
        app.setDraining(true)
        if (sweepTimer !== undefined) clearInterval(sweepTimer)
        if (httpServer.listening) {
          const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()))
          if ('closeIdleConnections' in httpServer) httpServer.closeIdleConnections()
          const timer = setTimeout(() => {
            if ('closeAllConnections' in httpServer) httpServer.closeAllConnections()
          }, options.drainTimeoutMs ?? 10_000)
          timer.unref()
          await closed
          clearTimeout(timer)
        }
        await sweeping
        // Attempts in flight are cut short and logged (their deliveries are retried).
        await webhooks?.close()
        await store.close()
        logger?.info('closed')
      })()
      return closing
    },
  }
}

/**
 * Builds, bootstraps (on a new database) and starts a server.
 *
 * @example
 * const server = await startServer({ port: 0, database: ':memory:', logger: false })
 * console.log(server.url, server.bootstrapped?.adminKey)
 * await server.close()
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const server = createServer(options)
  try {
    const bootstrapped = options.bootstrap === false ? null : await server.bootstrap()
    const address = await server.listen()
    return { ...server, ...address, bootstrapped }
  } catch (error) {
    await server.close()
    throw error
  }
}

function registerPostgresMetrics(app: App, store: PostgresStore): void {
  const gauges = [
    ['agentbill_store_commits_total', 'Database transactions committed.', 'committed'],
    [
      'agentbill_store_retries_total',
      'Transactions run again after a deadlock, a stale read, an idempotency-key race or a dropped connection.',
      'retries',
    ],
    [
      'agentbill_store_unavailable_total',
      'Transactions answered 503 because the database was unreachable.',
      'unavailable',
    ],
    ['agentbill_store_pool_connections', 'Open database connections.', 'total'],
    ['agentbill_store_pool_waiting', 'Transactions waiting for a database connection.', 'waiting'],
  ] as const
  for (const [name, help, field] of gauges) {
    app.metrics.gauge(name, help, () => {
      const stats = store.stats
      if (field === 'retries') {
        return stats.retriedAfterAbort + stats.retriedAfterConflict + stats.retriedAfterDisconnect
      }
      if (field === 'total' || field === 'waiting') return stats.pool[field]
      return stats[field]
    })
  }
}
