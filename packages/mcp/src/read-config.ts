import { parseArgs } from 'node:util'
import { DEFAULT_BASE_URL } from 'agentbill'

/** The default port of `--http`: next to the AgentBill server's 8787. */
export const DEFAULT_HTTP_PORT = 8788

/** How the command serves MCP over HTTP. */
export interface HttpConfig {
  /** @default 8788 (`0` picks a free port) */
  port: number
  /** @default '127.0.0.1' */
  host: string
  /** A bearer token every request must carry; `undefined` accepts any local caller. */
  token: string | undefined
  /** Keep a session (and its server) per client instead of a fresh one per request. @default false */
  sessions: boolean
  /** Extra `Origin` values accepted besides loopback ones. @default [] */
  allowedOrigins: string[]
  /** Extra `Host` names accepted besides loopback ones. @default [] */
  allowedHosts: string[]
}

/** Everything the `agentbill-mcp` command runs with. */
export interface McpCommandConfig {
  apiKey: string
  baseUrl: string
  defaultAgentId: string | undefined
  defaultCustomerId: string
  transport: 'stdio' | 'http'
  http: HttpConfig
}

/** What the command line asks for. */
export type CommandLine =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; config: McpCommandConfig }

/** A bad flag or environment variable; the message names it. The command exits with 1. */
export class McpConfigurationError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'McpConfigurationError'
  }
}

/** The `--help` text. */
export const USAGE = `Usage: agentbill-mcp [options]

An MCP server exposing AgentBill's preflight, record, release and balance tools.
Serves MCP over stdio by default (logs go to stderr), or Streamable HTTP with --http.

Environment:
  AGENTBILL_API_KEY      the AgentBill API key (required; a runtime key is enough)
  AGENTBILL_BASE_URL     the AgentBill server (default ${DEFAULT_BASE_URL})
  AGENTBILL_AGENT_ID     the default agent_id (else every call must name one)
  AGENTBILL_CUSTOMER_ID  the default customer_id (default "default")
  AGENTBILL_MCP_TOKEN    with --http: the bearer token clients must send

Options:
  --base-url <url>       overrides AGENTBILL_BASE_URL
  --agent <id>           overrides AGENTBILL_AGENT_ID
  --customer <id>        overrides AGENTBILL_CUSTOMER_ID
  --http                 serve Streamable HTTP at http://<host>:<port>/mcp instead of stdio
  --port <n>             HTTP port (default ${DEFAULT_HTTP_PORT}; 0 picks a free one)
  --host <address>       HTTP bind address (default 127.0.0.1; any other needs a token)
  --token <secret>       overrides AGENTBILL_MCP_TOKEN
  --sessions             keep one MCP session per client (default: stateless)
  --allowed-origin <o>   accept this Origin too (repeatable; loopback origins always pass)
  --allowed-host <h>     accept this Host name too (repeatable; loopback names always pass)
  -h, --help             show this help
  -v, --version          show the version
`

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

/** Whether `host` is a loopback address or name. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/**
 * Reads the command line and the environment — the only place this package reads either.
 * @throws {McpConfigurationError} for an unknown flag, a bad value, or a missing API key.
 */
export function readConfig(
  argv: readonly string[],
  environment: Readonly<Record<string, string | undefined>>,
): CommandLine {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new McpConfigurationError(`${message}\nRun agentbill-mcp --help for the options.`)
  }
  if (values.help === true) return { kind: 'help' }
  if (values.version === true) return { kind: 'version' }

  const read = (name: string): string | undefined => {
    const value = environment[name]?.trim()
    return value === undefined || value === '' ? undefined : value
  }
  const apiKey = read('AGENTBILL_API_KEY')
  if (apiKey === undefined) {
    throw new McpConfigurationError(
      'AGENTBILL_API_KEY is not set: set it to your AgentBill API key (agb_…; a runtime key is enough), for example in the "env" of your MCP host\'s configuration.',
    )
  }
  const baseUrl = checkBaseUrl(
    values['base-url'] ?? read('AGENTBILL_BASE_URL') ?? DEFAULT_BASE_URL,
    values['base-url'] === undefined ? 'AGENTBILL_BASE_URL' : '--base-url',
  )
  const defaultAgentId = optionalIdentifier(
    values.agent ?? read('AGENTBILL_AGENT_ID'),
    values.agent === undefined ? 'AGENTBILL_AGENT_ID' : '--agent',
  )
  const defaultCustomerId =
    optionalIdentifier(
      values.customer ?? read('AGENTBILL_CUSTOMER_ID'),
      values.customer === undefined ? 'AGENTBILL_CUSTOMER_ID' : '--customer',
    ) ?? 'default'

  const http = values.http === true
  if (!http) {
    for (const flag of ['port', 'host', 'token', 'sessions', 'allowed-origin', 'allowed-host']) {
      if (values[flag as keyof typeof values] !== undefined) {
        throw new McpConfigurationError(`--${flag} only applies with --http`)
      }
    }
  }
  const host = values.host ?? '127.0.0.1'
  const token = values.token ?? read('AGENTBILL_MCP_TOKEN')
  if (http && !isLoopbackHost(host) && token === undefined) {
    throw new McpConfigurationError(
      `--host ${host} would let other machines spend this AgentBill key: set a bearer token with --token or AGENTBILL_MCP_TOKEN.`,
    )
  }
  return {
    kind: 'run',
    config: {
      apiKey,
      baseUrl,
      defaultAgentId,
      defaultCustomerId,
      transport: http ? 'http' : 'stdio',
      http: {
        port: checkPort(values.port),
        host,
        token,
        sessions: values.sessions === true,
        allowedOrigins: values['allowed-origin'] ?? [],
        allowedHosts: values['allowed-host'] ?? [],
      },
    },
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      'base-url': { type: 'string' },
      agent: { type: 'string' },
      customer: { type: 'string' },
      http: { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
      token: { type: 'string' },
      sessions: { type: 'boolean' },
      'allowed-origin': { type: 'string', multiple: true },
      'allowed-host': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  })
}

function checkBaseUrl(value: string, source: string): string {
  try {
    const url = new URL(value)
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '')
  } catch {
    // reported below
  }
  throw new McpConfigurationError(
    `${source} must be an http(s) URL such as ${DEFAULT_BASE_URL}, got ${JSON.stringify(value)}`,
  )
}

function checkPort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_HTTP_PORT
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new McpConfigurationError(
      `--port must be a whole number from 0 to 65535, got ${JSON.stringify(value)}`,
    )
  }
  return port
}

// Control characters (C0, DEL, C1): identifiers must be printable.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/

function optionalIdentifier(value: string | undefined, source: string): string | undefined {
  if (value === undefined) return undefined
  const length = [...value].length
  if (length < 1 || length > 200 || CONTROL_CHARACTERS.test(value)) {
    throw new McpConfigurationError(
      `${source} must be 1 to 200 printable characters, got ${JSON.stringify(value)}`,
    )
  }
  return value
}
