#!/usr/bin/env node
// The `agentbill-mcp` command. stdout carries the MCP protocol on stdio: every log line goes to
// stderr.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { AgentBill } from 'agentbill'
import { createAgentBillMcpServer } from './create-agent-bill-mcp-server'
import { type McpCommandConfig, McpConfigurationError, readConfig, USAGE } from './read-config'
import { startHttpServer } from './start-http-server'
import { VERSION } from './version'

function log(message: string): void {
  process.stderr.write(`[agentbill-mcp] ${message}\n`)
}

async function main(): Promise<void> {
  let config: McpCommandConfig
  try {
    const commandLine = readConfig(process.argv.slice(2), process.env)
    if (commandLine.kind === 'help') {
      process.stdout.write(USAGE)
      return
    }
    if (commandLine.kind === 'version') {
      process.stdout.write(`${VERSION}\n`)
      return
    }
    config = commandLine.config
  } catch (error) {
    if (!(error instanceof McpConfigurationError)) throw error
    log(`error: ${error.message}`)
    process.exitCode = 1
    return
  }

  // One client for the whole process (every HTTP request and session shares it). No record
  // queue: a record the server could not take is a tool error the model retries with the same
  // idempotency_key, instead of an event kept in the memory of a process the host may kill.
  const client = new AgentBill({
    apiKey: config.apiKey,
    baseUrl: config.baseUrl,
    defaultCustomerId: config.defaultCustomerId,
    maxQueuedRecords: 0,
    onError: (error) => log(`${error.name}: ${error.message}`),
  })
  const createServer = () =>
    createAgentBillMcpServer({
      client,
      defaultCustomerId: config.defaultCustomerId,
      ...(config.defaultAgentId === undefined ? {} : { defaultAgentId: config.defaultAgentId }),
    })
  const defaults = `agent ${config.defaultAgentId === undefined ? '(none: agent_id required)' : JSON.stringify(config.defaultAgentId)}, customer ${JSON.stringify(config.defaultCustomerId)}`

  if (config.transport === 'http') {
    const http = await startHttpServer({
      createServer,
      port: config.http.port,
      host: config.http.host,
      sessions: config.http.sessions,
      allowedOrigins: config.http.allowedOrigins,
      allowedHosts: config.http.allowedHosts,
      log,
      ...(config.http.token === undefined ? {} : { token: config.http.token }),
    })
    const mode = config.http.sessions ? 'sessions' : 'stateless'
    const auth = config.http.token === undefined ? 'no token' : 'bearer token required'
    log(
      `${VERSION} listening on ${http.url} (${mode}, ${auth}); AgentBill at ${config.baseUrl}; ${defaults}`,
    )
    const stop = () => {
      void http.close().then(() => process.exit(0))
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    return
  }

  const server = createServer()
  await server.connect(new StdioServerTransport())
  log(`${VERSION} on stdio; AgentBill at ${config.baseUrl}; ${defaults}`)
  // The host ends a stdio server by closing stdin (or with a signal).
  const stop = () => {
    void server.close().then(() => process.exit(0))
  }
  process.stdin.once('close', stop)
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  log(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exit(1)
})
