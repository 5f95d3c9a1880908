import { createServer } from 'node:net'
import { startTestServer, type TestServer } from '@agentbill/server/testing'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { AgentBill } from 'agentbill'
import { expect } from 'vitest'
import {
  type AgentBillMcpServerOptions,
  createAgentBillMcpServer,
} from '../src/create-agent-bill-mcp-server'

/** The upgrade URL every test project has (with the customer filled in by the server). */
export const UPGRADE_URL = 'https://billing.example/upgrade?customer={customer_id}'

/** A real AgentBill server with a project set up as a user would: upgrade URL and a runtime key. */
export interface AgentBillFixture {
  url: string
  server: TestServer
  /** An admin client, to look at the ledger from outside the MCP server. */
  admin: AgentBill
  /** A `runtime` key: all the MCP server needs. */
  runtimeKey: string
  close(): Promise<void>
}

/** Starts a real AgentBill server on a random port with a fresh in-memory database. */
export async function startAgentBill(): Promise<AgentBillFixture> {
  const server = await startTestServer()
  const admin = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url })
  await admin.admin.project.update({ upgradeUrl: UPGRADE_URL })
  const { key } = await admin.admin.keys.create({ name: 'mcp', scope: 'runtime' })
  return { url: server.url, server, admin, runtimeKey: key, close: () => server.close() }
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** The MCP client side of an in-process server, with the client the server calls through. */
export interface InMemoryConnection {
  mcp: Client
  close(): Promise<void>
}

/** Connects the SDK's own `Client` to `createAgentBillMcpServer(options)` in process. */
export async function connectInMemory(
  options: AgentBillMcpServerOptions,
): Promise<InMemoryConnection> {
  const server = createAgentBillMcpServer(options)
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  await server.connect(serverSide)
  const mcp = new Client({ name: 'agentbill-mcp-test', version: '1.0.0' })
  await mcp.connect(clientSide)
  return {
    mcp,
    close: async () => {
      await mcp.close()
      await server.close()
    },
  }
}

/** Builds the client the way the `agentbill-mcp` command does. */
export function mcpClient(options: { apiKey: string; baseUrl: string }): AgentBill {
  return new AgentBill({
    ...options,
    maxQueuedRecords: 0,
    // Keeps the server-down cases short; the retry path itself is the core client's to test.
    maxRetries: 0,
    onError: () => {},
  })
}

/** The text of a tool result's first content block. */
export function textOf(result: unknown): string {
  const content = (result as CallToolResult).content
  const first = content[0]
  if (first?.type !== 'text')
    throw new Error(`expected a text block, got ${JSON.stringify(content)}`)
  return first.text
}

/** Asserts `result` is a tool error (not a protocol error) and returns its text. */
export function expectToolError(result: unknown): string {
  const call = result as CallToolResult
  expect(call.isError).toBe(true)
  expect(call.structuredContent).toBeUndefined()
  return textOf(call)
}

/** Asserts `result` succeeded and returns its structured content. */
export function structured<T = Record<string, unknown>>(result: unknown): T {
  const call = result as CallToolResult
  expect(call.isError ?? false, textOf(call)).toBe(false)
  expect(call.structuredContent).toBeDefined()
  return call.structuredContent as T
}
