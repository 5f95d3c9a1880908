import { parseArgs } from 'node:util'
import { DEFAULT_DATABASE } from './server.js'
import { isPostgresUrl } from './store/postgres-store.js'

/** What the CLI runs with, after flags and environment are read. */
export interface CliConfig {
  port: number
  host: string
  database: string
  synchronous: 'FULL' | 'NORMAL'
  fsync: 'background' | 'inline'
  overlapCommits: boolean
  /** PostgreSQL connections per instance; `undefined` keeps the store's default. */
  postgresPoolSize: number | undefined
  logLevel: string
  /** Webhook endpoints may point to private networks (self-hosted setups). */
  allowPrivateWebhookTargets: boolean
  help: boolean
}

/** Thrown for a flag or variable the CLI cannot use; the CLI prints it and exits 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

export const CLI_USAGE = `Usage: agentbill-server [options]

  --port <n>          TCP port (env PORT)                              default 8787
  --host <address>    address to listen on (env HOST)                  default 127.0.0.1
  --database <path>   SQLite file or :memory:, or postgres://user@host/db for the
                      PostgreSQL store (many instances, one ledger) (env DATABASE_URL)
                                                                       default ${DEFAULT_DATABASE}
  --pool-size <n>     PostgreSQL connections per instance (env AGENTBILL_PG_POOL_SIZE)
                                                                       default 10
  --synchronous <m>   FULL (survives power loss) or NORMAL (env AGENTBILL_SQLITE_SYNCHRONOUS)
                                                                       default FULL
  --fsync <how>       FULL's fsync: background (thread pool, event loop keeps going) or
                      inline (SQLite's synchronous=FULL) (env AGENTBILL_SQLITE_FSYNC)
                                                                       default background
  --log-level <l>     pino level (env LOG_LEVEL)                       default info
  --allow-private-webhook-targets
                      let webhook endpoints point to loopback, private, link-local,
                      CGNAT and unique-local addresses, for self-hosted networks
                      (env AGENTBILL_ALLOW_PRIVATE_WEBHOOK_TARGETS=1; cloud metadata
                      addresses stay refused)                          default off
  --help              this text

  AGENTBILL_SQLITE_OVERLAP=0   gather requests that arrive during an fsync into one commit
                               instead of committing them alongside it (default 1)
`

function databaseLocation(value: string): string {
  // A PostgreSQL URL is passed on whole (pg reads it); anything else is a SQLite path.
  if (isPostgresUrl(value)) return value
  // DATABASE_URL may be written as a URL (sqlite:./file.db or file:./file.db).
  return value.replace(/^(sqlite|file):(\/\/)?/, '')
}

/** The database for logs: a PostgreSQL URL's password is masked. */
export function describeDatabase(database: string): string {
  if (!isPostgresUrl(database)) return database
  try {
    const url = new URL(database)
    if (url.password !== '') url.password = '***'
    return url.toString()
  } catch {
    return 'postgres://(unparsable URL)'
  }
}

/**
 * The one place that reads the environment: flags win over variables, which win over
 * defaults.
 */
export function resolveCliConfig(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): CliConfig {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        database: { type: 'string' },
        synchronous: { type: 'string' },
        fsync: { type: 'string' },
        'pool-size': { type: 'string' },
        'log-level': { type: 'string' },
        'allow-private-webhook-targets': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error))
  }
  const portText = (values.port as string | undefined) ?? env.PORT ?? '8787'
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || port > 65_535) {
    throw new ConfigError(`--port must be an integer from 0 to 65535, got "${portText}"`)
  }
  const synchronous = (
    (values.synchronous as string | undefined) ??
    env.AGENTBILL_SQLITE_SYNCHRONOUS ??
    'FULL'
  ).toUpperCase()
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
    throw new ConfigError(`--synchronous must be FULL or NORMAL, got "${synchronous}"`)
  }
  const fsync = (
    (values.fsync as string | undefined) ??
    env.AGENTBILL_SQLITE_FSYNC ??
    'background'
  ).toLowerCase()
  if (fsync !== 'background' && fsync !== 'inline') {
    throw new ConfigError(`--fsync must be background or inline, got "${fsync}"`)
  }
  const poolSizeText =
    (values['pool-size'] as string | undefined) ?? env.AGENTBILL_PG_POOL_SIZE ?? undefined
  if (
    poolSizeText !== undefined &&
    (!/^\d+$/.test(poolSizeText) || Number(poolSizeText) < 1 || Number(poolSizeText) > 1000)
  ) {
    throw new ConfigError(`--pool-size must be an integer from 1 to 1000, got "${poolSizeText}"`)
  }
  const allowPrivateText = env.AGENTBILL_ALLOW_PRIVATE_WEBHOOK_TARGETS?.trim().toLowerCase()
  if (
    allowPrivateText !== undefined &&
    !['', '0', '1', 'true', 'false', 'yes', 'no'].includes(allowPrivateText)
  ) {
    throw new ConfigError(
      `AGENTBILL_ALLOW_PRIVATE_WEBHOOK_TARGETS must be 1 or 0 (true/false), got "${allowPrivateText}"`,
    )
  }
  const allowPrivateWebhookTargets =
    values['allow-private-webhook-targets'] === true ||
    ['1', 'true', 'yes'].includes(allowPrivateText ?? '')
  return {
    port,
    host: (values.host as string | undefined) ?? env.HOST ?? '127.0.0.1',
    database: databaseLocation(
      (values.database as string | undefined) ?? env.DATABASE_URL ?? DEFAULT_DATABASE,
    ),
    synchronous,
    fsync,
    overlapCommits: env.AGENTBILL_SQLITE_OVERLAP !== '0',
    postgresPoolSize: poolSizeText === undefined ? undefined : Number(poolSizeText),
    logLevel: (values['log-level'] as string | undefined) ?? env.LOG_LEVEL ?? 'info',
    allowPrivateWebhookTargets,
    help: values.help === true,
  }
}
