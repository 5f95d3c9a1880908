import { type ChildProcess, spawn } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAgentBillMcpServer } from '../src/create-agent-bill-mcp-server'
import { type RunningHttpServer, startHttpServer } from '../src/start-http-server'
import type { BalanceOutput } from '../src/tools/balance-tool'
import type { PreflightOutput } from '../src/tools/preflight-tool'
import type { RecordOutput } from '../src/tools/record-tool'
import type { ReleaseOutput } from '../src/tools/release-tool'
import {
  type AgentBillFixture,
  closedPort,
  expectToolError,
  mcpClient,
  startAgentBill,
  structured,
} from './agentbill-fixture'
import { requireBuiltCli } from './built-cli'

let agentBill: AgentBillFixture

beforeAll(async () => {
  agentBill = await startAgentBill()
})
afterAll(() => agentBill?.close())

/** An HTTP MCP server in this process, calling the real AgentBill server. */
function serve(
  options: { sessions?: boolean; token?: string; baseUrl?: string; maxSessions?: number } = {},
) {
  const client = mcpClient({
    apiKey: agentBill.runtimeKey,
    baseUrl: options.baseUrl ?? agentBill.url,
  })
  return startHttpServer({
    createServer: () => createAgentBillMcpServer({ client, defaultAgentId: 'http-agent' }),
    port: 0,
    log: () => {},
    ...(options.sessions === undefined ? {} : { sessions: options.sessions }),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.maxSessions === undefined ? {} : { maxSessions: options.maxSessions }),
  })
}

async function connectHttp(url: string, headers: Record<string, string> = {}) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers },
  })
  const mcp = new Client({ name: 'agentbill-mcp-http-test', version: '1.0.0' })
  await mcp.connect(transport)
  return { mcp, transport }
}

/** A raw request, for headers `fetch` will not let a caller set (Host). */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'POST', headers: options.headers })
    request.on('error', reject)
    request.on('response', (response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      )
    })
    request.end(options.body)
  })
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'raw', version: '1' },
  },
})
const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
}

describe('Streamable HTTP, stateless (the default)', () => {
  let http: RunningHttpServer

  beforeAll(async () => {
    http = await serve()
  })
  afterAll(() => http?.close())

  it('listens on loopback at /mcp', () => {
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/)
  })

  it('lists and calls every tool against the real server', async () => {
    const { mcp } = await connectHttp(http.url)
    try {
      const { tools } = await mcp.listTools()
      expect(tools.map((tool) => tool.name)).toEqual(['preflight', 'record', 'release', 'balance'])
      const customer = 'http-customer'
      const first = structured<PreflightOutput>(
        await mcp.callTool({
          name: 'preflight',
          arguments: { customer_id: customer, estimated_units: 100, reserve: true },
        }),
      )
      expect(first).toMatchObject({ approved: true, agent_id: 'http-agent', remaining_units: 900 })
      const recorded = structured<RecordOutput>(
        await mcp.callTool({
          name: 'record',
          arguments: { customer_id: customer, units: 60, reservation_id: first.reservation_id },
        }),
      )
      expect(recorded).toMatchObject({ units: 60, remaining_units: 940 })
      const second = structured<PreflightOutput>(
        await mcp.callTool({
          name: 'preflight',
          arguments: { customer_id: customer, estimated_units: 5, reserve: true },
        }),
      )
      const released = structured<ReleaseOutput>(
        await mcp.callTool({
          name: 'release',
          arguments: { reservation_id: second.reservation_id },
        }),
      )
      expect(released.status).toBe('released')
      const balance = structured<BalanceOutput>(
        await mcp.callTool({ name: 'balance', arguments: { customer_id: customer } }),
      )
      expect(balance).toMatchObject({ used_units: 60, reserved_units: 0, remaining_units: 940 })
      // Stateless: no session was kept for this client.
      expect(http.sessionCount).toBe(0)
    } finally {
      await mcp.close()
    }
  })

  it('answers a blocked preflight as a result and a bad argument as a tool error', async () => {
    const { mcp } = await connectHttp(http.url)
    try {
      const blocked = await mcp.callTool({
        name: 'preflight',
        arguments: { customer_id: 'http-poor', estimated_units: 2_000 },
      })
      expect(structured<PreflightOutput>(blocked)).toMatchObject({
        approved: false,
        reason: 'budget_exhausted',
      })
      const bad = await mcp.callTool({ name: 'preflight', arguments: { ceiling: -5 } })
      expect(expectToolError(bad)).toMatch(/must not be negative at ceiling/)
    } finally {
      await mcp.close()
    }
  })

  it('serves clients side by side, each request with a fresh server', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => connectHttp(http.url)))
    try {
      const results = await Promise.all(
        clients.map(({ mcp }, index) =>
          mcp.callTool({
            name: 'record',
            arguments: { customer_id: 'http-parallel', units: index + 1 },
          }),
        ),
      )
      for (const result of results) structured(result)
      expect((await agentBill.admin.balance('http-parallel')).usedUnits).toBe(6)
    } finally {
      await Promise.all(clients.map(({ mcp }) => mcp.close()))
    }
  })

  it('refuses GET (no stream to open without sessions)', async () => {
    const response = await rawRequest(http.url, {
      method: 'GET',
      headers: { accept: 'text/event-stream' },
    })
    expect(response.status).toBe(405)
    expect(response.headers.allow).toBe('POST')
  })

  it('refuses a rebound Host name (DNS rebinding) and a foreign Origin', async () => {
    const port = new URL(http.url).port
    const rebound = await rawRequest(http.url, {
      headers: { ...MCP_HEADERS, host: `attacker.example:${port}` },
      body: INITIALIZE,
    })
    expect(rebound.status).toBe(403)
    expect(rebound.body).toContain('Host \\"attacker.example')
    const foreign = await rawRequest(http.url, {
      headers: { ...MCP_HEADERS, origin: 'https://attacker.example' },
      body: INITIALIZE,
    })
    expect(foreign.status).toBe(403)
    expect(foreign.body).toContain('Origin \\"https://attacker.example\\" is not allowed')
  })

  it('accepts a loopback Origin (a local browser client) with CORS headers', async () => {
    const response = await rawRequest(http.url, {
      headers: { ...MCP_HEADERS, origin: 'http://localhost:6274' },
      body: INITIALIZE,
    })
    expect(response.status).toBe(200)
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:6274')
    expect(JSON.parse(response.body).result.serverInfo.name).toBe('agentbill')
  })

  it('answers bad JSON with 400, a body over the limit with 413, and other paths with 404', async () => {
    expect((await rawRequest(http.url, { headers: MCP_HEADERS, body: '{"jsonrpc":' })).status).toBe(
      400,
    )
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'x',
      params: { pad: 'x'.repeat(1_100_000) },
    })
    expect((await rawRequest(http.url, { headers: MCP_HEADERS, body: big })).status).toBe(413)
    expect(
      (
        await rawRequest(http.url.replace('/mcp', '/other'), {
          headers: MCP_HEADERS,
          body: INITIALIZE,
        })
      ).status,
    ).toBe(404)
    const health = await rawRequest(http.url.replace('/mcp', '/healthz'), { method: 'GET' })
    expect(health).toMatchObject({ status: 200, body: '{"status":"ok"}' })
  })
})

describe('Streamable HTTP with sessions', () => {
  it('keeps a session per client and ends it on DELETE', async () => {
    const http = await serve({ sessions: true })
    try {
      const { mcp, transport } = await connectHttp(http.url)
      expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/)
      expect(http.sessionCount).toBe(1)
      const balance = structured<BalanceOutput>(
        await mcp.callTool({ name: 'balance', arguments: { customer_id: 'session-customer' } }),
      )
      expect(balance.remaining_units).toBe(1_000)
      await transport.terminateSession()
      expect(http.sessionCount).toBe(0)
      await mcp.close()

      const unknown = await rawRequest(http.url, {
        headers: { ...MCP_HEADERS, 'mcp-session-id': 'not-a-session' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      })
      expect(unknown.status).toBe(404)
      const noSession = await rawRequest(http.url, {
        headers: MCP_HEADERS,
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      })
      expect(noSession.status).toBe(400)
    } finally {
      await http.close()
    }
  })
})

describe('Streamable HTTP session limit', () => {
  it('answers 503 past maxSessions and takes new clients again once one closes', async () => {
    const http = await serve({ sessions: true, maxSessions: 1 })
    try {
      const first = await connectHttp(http.url)
      const refused = await rawRequest(http.url, { headers: MCP_HEADERS, body: INITIALIZE })
      expect(refused.status).toBe(503)
      expect(refused.body).toContain('Too many sessions open (1)')
      await first.transport.terminateSession()
      await first.mcp.close()
      const second = await connectHttp(http.url)
      expect(http.sessionCount).toBe(1)
      await second.mcp.close()
    } finally {
      await http.close()
    }
  })
})

describe('Streamable HTTP with a bearer token', () => {
  it('refuses a client without the token and serves one with it', async () => {
    const http = await serve({ token: 's3cret-token' })
    try {
      await expect(connectHttp(http.url)).rejects.toThrow()
      const wrong = await rawRequest(http.url, {
        headers: { ...MCP_HEADERS, authorization: 'Bearer nope' },
        body: INITIALIZE,
      })
      expect(wrong.status).toBe(401)
      expect(wrong.headers['www-authenticate']).toContain('Bearer')

      // A browser's CORS preflight carries no credentials: it passes, and says what may follow.
      const preflight = await rawRequest(http.url, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:6274', 'access-control-request-method': 'POST' },
      })
      expect(preflight.status).toBe(204)
      expect(preflight.headers['access-control-allow-headers']).toContain('authorization')
      expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:6274')

      const { mcp } = await connectHttp(http.url, { authorization: 'Bearer s3cret-token' })
      const { tools } = await mcp.listTools()
      expect(tools).toHaveLength(4)
      await mcp.close()
    } finally {
      await http.close()
    }
  })
})

describe('Streamable HTTP when the AgentBill server is down', () => {
  it('answers tools with a tool error naming the server', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}`
    const http = await serve({ baseUrl })
    try {
      const { mcp } = await connectHttp(http.url)
      const result = await mcp.callTool({ name: 'record', arguments: { units: 3 } })
      const text = expectToolError(result)
      expect(text).toContain(`The AgentBill server at ${baseUrl} is unavailable`)
      expect(text).toMatch(/Nothing was recorded\. Try again later with idempotency_key "mcp_/)
      await mcp.close()
    } finally {
      await http.close()
    }
  })
})

describe('the built binary with --http', () => {
  let child: ChildProcess | undefined
  afterAll(() => {
    child?.kill('SIGKILL')
  })

  it('serves MCP on the port it reports, and stops on SIGTERM', async () => {
    child = spawn(
      process.execPath,
      [requireBuiltCli(), '--http', '--port', '0', '--token', 'cli-token', '--agent', 'cli'],
      {
        env: {
          PATH: process.env.PATH ?? '',
          AGENTBILL_API_KEY: agentBill.runtimeKey,
          AGENTBILL_BASE_URL: agentBill.url,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    const url = await new Promise<string>((resolve, reject) => {
      let stderr = ''
      child?.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
        const match = /listening on (http:\/\/\S+\/mcp)/.exec(stderr)
        if (match?.[1] !== undefined) resolve(match[1])
      })
      child?.on('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)))
    })
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/)

    const { mcp } = await connectHttp(url, { authorization: 'Bearer cli-token' })
    const recorded = structured<RecordOutput>(
      await mcp.callTool({ name: 'record', arguments: { customer_id: 'cli-http', units: 2 } }),
    )
    expect(recorded).toMatchObject({ agent_id: 'cli', units: 2 })
    await mcp.close()

    const exited = new Promise<number | null>((resolve) => child?.on('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(stdout).toBe('')
  })
})
