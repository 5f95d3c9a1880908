import { parseArgs } from 'node:util'
import { DEFAULT_DATABASE } from './server.js'

/** What the CLI runs with, after flags and environment are read. */
export interface CliConfig {
  port: number
  host: string
  database: string
  synchronous: 'FULL' | 'NORMAL'
  fsync: 'background' | 'inline'
  overlapCommits: boolean
  logLevel: string
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
  --database <path>   SQLite file or :memory: (env DATABASE_URL)       default ${DEFAULT_DATABASE}
  --synchronous <m>   FULL (survives power loss) or NORMAL (env AGENTBILL_SQLITE_SYNCHRONOUS)
                                                                       default FULL
  --fsync <how>       FULL's fsync: background (thread pool, event loop keeps going) or
                      inline (SQLite's synchronous=FULL) (env AGENTBILL_SQLITE_FSYNC)
                                                                       default background
  --log-level <l>     pino level (env LOG_LEVEL)                       default info
  --help              this text

  AGENTBILL_SQLITE_OVERLAP=0   gather requests that arrive during an fsync into one commit
                               instead of committing them alongside it (default 1)
`

function sqlitePath(value: string): string {
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) {
    throw new ConfigError('PostgreSQL is not supported by this build yet; use a SQLite path')
  }
  // DATABASE_URL may be written as a URL (sqlite:./file.db or file:./file.db).
  return value.replace(/^(sqlite|file):(\/\/)?/, '')
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
        'log-level': { type: 'string' },
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
  return {
    port,
    host: (values.host as string | undefined) ?? env.HOST ?? '127.0.0.1',
    database: sqlitePath(
      (values.database as string | undefined) ?? env.DATABASE_URL ?? DEFAULT_DATABASE,
    ),
    synchronous,
    fsync,
    overlapCommits: env.AGENTBILL_SQLITE_OVERLAP !== '0',
    logLevel: (values['log-level'] as string | undefined) ?? env.LOG_LEVEL ?? 'info',
    help: values.help === true,
  }
}
