import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import { checkRequest, isAllowedOrigin } from './http-guard'
import { DEFAULT_HTTP_PORT } from './read-config'

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  /** Builds an MCP server: one per request when stateless, one per session with `sessions`. */
  createServer: () => McpServer
  /** @default 8788 (`0` picks a free port) */
  port?: number
  /**
   * The address to listen on. Anything but loopback should come with a `token`.
   * @default '127.0.0.1'
   */
  host?: string
  /**
   * A bearer token every request must carry (`Authorization: Bearer …`).
   * @default undefined (no token)
   */
  token?: string
  /**
   * Keep one MCP session (and server) per client, identified by `Mcp-Session-Id`; otherwise
   * every POST gets a fresh server and transport and nothing is kept between requests.
   * @default false
   */
  sessions?: boolean
  /**
   * `Origin` values accepted besides loopback ones (`http://localhost:*`, `http://127.0.0.1:*`).
   * @default []
   */
  allowedOrigins?: readonly string[]
  /**
   * `Host` names accepted besides loopback ones. When listening on a non-loopback address with
   * none given, any `Host` is accepted (the token protects the server).
   * @default []
   */
  allowedHosts?: readonly string[]
  /**
   * A session unused this long is closed.
   * @default 1_800_000 (30 minutes)
   */
  sessionIdleMs?: number
  /**
   * The most sessions open at once; past it a new client gets a 503 until one closes or lapses.
   * @default 1000
   */
  maxSessions?: number
  /**
   * The largest request body accepted.
   * @default 1_048_576 (1 MiB)
   */
  maxBodyBytes?: number
  /**
   * Where log lines go. Never stdout.
   * @default writes one line to stderr
   */
  log?: (message: string) => void
}

/** A running Streamable HTTP server. */
export interface RunningHttpServer {
  /** The MCP endpoint, `http://<host>:<port>/mcp`. */
  url: string
  /** The port it listens on (useful with `port: 0`). */
  port: number
  /** How many sessions are open (always 0 when stateless). */
  readonly sessionCount: number
  /** Closes every session and stops listening. */
  close(): Promise<void>
}

interface Session {
  transport: StreamableHTTPServerTransport
  server: McpServer
  lastSeen: number
}

const MCP_PATH = '/mcp'

/**
 * Serves MCP over Streamable HTTP at `/mcp` (and `GET /healthz`), with DNS-rebinding protection
 * (`Host` and `Origin` checks), an optional bearer token, and either stateless requests (the
 * default: a fresh server and transport per POST, as the SDK requires) or sessions.
 *
 * @example
 * const http = await startHttpServer({ createServer: () => createAgentBillMcpServer({ client }), port: 0 })
 * console.error(http.url)
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const host = options.host ?? '127.0.0.1'
  const guard = {
    bindHost: host,
    allowedHosts: options.allowedHosts ?? [],
    allowedOrigins: options.allowedOrigins ?? [],
    token: options.token,
  }
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`))
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576
  const sessionIdleMs = options.sessionIdleMs ?? 1_800_000
  const maxSessions = options.maxSessions ?? 1000
  const sessions = new Map<string, Session>()

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    const refusal = checkRequest(
      {
        host: request.headers.host,
        origin: request.headers.origin,
        authorization: request.headers.authorization,
      },
      guard,
    )
    // Past the Host/Origin checks, two requests need no token: the health check (it tells
    // nothing) and a browser's CORS preflight (browsers never send credentials with one).
    const tokenOnly = refusal?.status === 401
    if ((refusal === undefined || tokenOnly) && path === '/healthz' && request.method === 'GET') {
      return sendJson(response, 200, { status: 'ok' })
    }
    const origin = request.headers.origin
    if (
      (refusal === undefined || tokenOnly) &&
      origin !== undefined &&
      isAllowedOrigin(origin, guard.allowedOrigins)
    ) {
      response.setHeader('access-control-allow-origin', origin)
      response.setHeader('vary', 'Origin')
      response.setHeader('access-control-expose-headers', 'mcp-session-id, mcp-protocol-version')
    }
    if ((refusal === undefined || tokenOnly) && path === MCP_PATH && request.method === 'OPTIONS') {
      response.setHeader('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS')
      response.setHeader(
        'access-control-allow-headers',
        'authorization, content-type, accept, mcp-session-id, mcp-protocol-version, last-event-id',
      )
      response.writeHead(204).end()
      return
    }
    if (refusal !== undefined) {
      if (tokenOnly) response.setHeader('www-authenticate', 'Bearer realm="agentbill-mcp"')
      return sendRpcError(response, refusal.status, -32001, refusal.message)
    }
    if (path !== MCP_PATH) {
      return sendJson(response, 404, { error: 'Not found: the MCP endpoint is /mcp' })
    }

    let body: unknown
    if (request.method === 'POST') {
      const read = await readJson(request, maxBodyBytes)
      if (read.kind === 'too_large') {
        return sendRpcError(response, 413, -32600, `Request body over ${maxBodyBytes} bytes`)
      }
      if (read.kind === 'invalid')
        return sendRpcError(response, 400, -32700, 'Parse error: invalid JSON')
      body = read.value
    }

    if (options.sessions !== true) {
      if (request.method !== 'POST') {
        response.setHeader('allow', 'POST')
        return sendRpcError(
          response,
          405,
          -32000,
          'Method not allowed: this server is stateless; POST to /mcp',
        )
      }
      const server = options.createServer()
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      })
      response.on('close', () => {
        void transport.close()
        void server.close()
      })
      await server.connect(transport)
      await transport.handleRequest(request, response, body)
      return
    }

    const sessionId = request.headers['mcp-session-id']
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId)
      if (session === undefined) return sendRpcError(response, 404, -32001, 'Session not found')
      session.lastSeen = Date.now()
      await session.transport.handleRequest(request, response, body)
      return
    }
    if (request.method !== 'POST' || !isInitializeRequest(body)) {
      return sendRpcError(
        response,
        400,
        -32000,
        'Bad request: no Mcp-Session-Id; start with initialize',
      )
    }
    if (sessions.size >= maxSessions) {
      response.setHeader('retry-after', '60')
      return sendRpcError(response, 503, -32000, `Too many sessions open (${maxSessions})`)
    }
    const server = options.createServer()
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, lastSeen: Date.now() })
      },
    })
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
      void server.close()
    }
    await server.connect(transport)
    await transport.handleRequest(request, response, body)
  }

  const httpServer: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(
        `[agentbill-mcp] HTTP request failed: ${error instanceof Error ? error.message : String(error)}`,
      )
      if (!response.headersSent) sendRpcError(response, 500, -32603, 'Internal error')
      else response.end()
    })
  })

  const sweeper = setInterval(
    () => {
      const now = Date.now()
      for (const session of sessions.values()) {
        if (now - session.lastSeen > sessionIdleMs) void session.transport.close()
      }
    },
    Math.min(sessionIdleMs, 60_000),
  )
  sweeper.unref()

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(options.port ?? DEFAULT_HTTP_PORT, host, () => {
      httpServer.off('error', reject)
      resolve()
    })
  })
  const { port } = httpServer.address() as AddressInfo
  const urlHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${urlHost}:${port}${MCP_PATH}`,
    port,
    get sessionCount() {
      return sessions.size
    },
    async close() {
      clearInterval(sweeper)
      await Promise.allSettled([...sessions.values()].map((session) => session.transport.close()))
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve())
        httpServer.closeAllConnections()
      })
    },
  }
}

async function readJson(
  request: IncomingMessage,
  maxBytes: number,
): Promise<{ kind: 'ok'; value: unknown } | { kind: 'too_large' } | { kind: 'invalid' }> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > maxBytes) return { kind: 'too_large' }
    chunks.push(buffer)
  }
  try {
    return { kind: 'ok', value: JSON.parse(Buffer.concat(chunks).toString('utf8')) }
  } catch {
    return { kind: 'invalid' }
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

function sendRpcError(
  response: ServerResponse,
  status: number,
  code: number,
  message: string,
): void {
  sendJson(response, status, { jsonrpc: '2.0', error: { code, message }, id: null })
}
