#!/usr/bin/env node
import { pino } from 'pino'
import { CLI_USAGE, ConfigError, describeDatabase, resolveCliConfig } from './config.js'
import { startServer } from './server.js'

async function main(): Promise<void> {
  let config: ReturnType<typeof resolveCliConfig>
  try {
    config = resolveCliConfig(process.argv.slice(2), process.env)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`agentbill-server: ${error.message}\n\n${CLI_USAGE}`)
      process.exit(2)
    }
    throw error
  }
  if (config.help) {
    process.stdout.write(CLI_USAGE)
    return
  }
  const logger = pino({
    name: 'agentbill-server',
    level: config.logLevel,
    redact: ['key', '*.key', 'authorization', '*.authorization', 'headers.authorization'],
  })
  const server = await startServer({
    port: config.port,
    host: config.host,
    database: config.database,
    synchronous: config.synchronous,
    fsync: config.fsync,
    overlapCommits: config.overlapCommits,
    ...(config.postgresPoolSize === undefined ? {} : { postgresPoolSize: config.postgresPoolSize }),
    allowPrivateWebhookTargets: config.allowPrivateWebhookTargets,
    logger,
  })
  logger.info(
    {
      database: describeDatabase(config.database),
      synchronous: config.synchronous,
      fsync: config.fsync,
    },
    'database opened',
  )
  if (config.allowPrivateWebhookTargets) {
    logger.warn('webhook endpoints may point to private networks (--allow-private-webhook-targets)')
  }
  if (server.bootstrapped !== null) {
    // Shown once, on the terminal only: the log never carries a key.
    process.stdout.write(
      `\nAgentBill server ${server.url}\n` +
        `New database: created project ${server.bootstrapped.projectId}.\n` +
        `Admin key (shown once, keep it): ${server.bootstrapped.adminKey}\n` +
        `API docs: ${server.url}/docs\n\n`,
    )
  }
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'draining')
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((error: unknown) => {
  process.stderr.write(
    `agentbill-server: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
