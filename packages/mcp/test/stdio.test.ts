import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PreflightOutput } from '../src/tools/preflight-tool'
import type { RecordOutput } from '../src/tools/record-tool'
import type { ReleaseOutput } from '../src/tools/release-tool'
import {
  type AgentBillFixture,
  closedPort,
  expectToolError,
  startAgentBill,
  structured,
  textOf,
} from './agentbill-fixture'
import { PACKAGE_VERSION, requireBuiltCli, runCli } from './built-cli'

/** The built binary over stdio, as an MCP host starts it. */
async function connectStdio(args: string[], env: Record<string, string>) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [requireBuiltCli(), ...args],
    env,
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const mcp = new Client({ name: 'agentbill-mcp-stdio-test', version: '1.0.0' })
  const transportErrors: Error[] = []
  await mcp.connect(transport)
  // Anything on stdout that is not a protocol message would show up here.
  transport.onerror = (error) => transportErrors.push(error)
  return { mcp, transport, transportErrors, stderr: () => stderr }
}

describe('the built agentbill-mcp binary over stdio', () => {
  let agentBill: AgentBillFixture
  let stdio: Awaited<ReturnType<typeof connectStdio>>

  beforeAll(async () => {
    agentBill = await startAgentBill()
    stdio = await connectStdio(['--agent', 'stdio-agent'], {
      AGENTBILL_API_KEY: agentBill.runtimeKey,
      AGENTBILL_BASE_URL: agentBill.url,
      AGENTBILL_CUSTOMER_ID: 'stdio-customer',
    })
  })

  afterAll(async () => {
    await stdio?.mcp.close()
    await agentBill?.close()
  })

  it('lists the four tools', async () => {
    const { tools } = await stdio.mcp.listTools()
    expect(tools.map((tool) => tool.name)).toEqual(['preflight', 'record', 'release', 'balance'])
    expect(stdio.mcp.getServerVersion()).toMatchObject({
      name: 'agentbill',
      version: PACKAGE_VERSION,
    })
  })

  it('preflights, records, releases and reads the balance against the real server', async () => {
    const held = structured<PreflightOutput>(
      await stdio.mcp.callTool({
        name: 'preflight',
        arguments: { estimated_units: 30, reserve: true },
      }),
    )
    expect(held).toMatchObject({
      approved: true,
      agent_id: 'stdio-agent',
      customer_id: 'stdio-customer',
      remaining_units: 970,
    })
    const recorded = structured<RecordOutput>(
      await stdio.mcp.callTool({
        name: 'record',
        arguments: { units: 21, reservation_id: held.reservation_id },
      }),
    )
    expect(recorded).toMatchObject({ recorded: true, units: 21, reservation_status: 'settled' })

    const second = structured<PreflightOutput>(
      await stdio.mcp.callTool({
        name: 'preflight',
        arguments: { estimated_units: 9, reserve: true },
      }),
    )
    const released = structured<ReleaseOutput>(
      await stdio.mcp.callTool({
        name: 'release',
        arguments: { reservation_id: second.reservation_id },
      }),
    )
    expect(released.status).toBe('released')

    const balance = await stdio.mcp.callTool({ name: 'balance', arguments: {} })
    expect(textOf(balance)).toBe(
      'Customer "stdio-customer": 979 of 1000 units left (21 used, 0 held).',
    )
    expect(await agentBill.admin.balance('stdio-customer')).toMatchObject({
      usedUnits: 21,
      reservedUnits: 0,
    })
  })

  it('answers a blocked preflight as a result, and a bad argument as a tool error', async () => {
    const blocked = await stdio.mcp.callTool({
      name: 'preflight',
      arguments: { customer_id: 'stdio-poor', estimated_units: 1_001 },
    })
    expect(structured<PreflightOutput>(blocked)).toMatchObject({
      approved: false,
      reason: 'budget_exhausted',
      upgrade_url: 'https://billing.example/upgrade?customer=stdio-poor',
    })
    const bad = await stdio.mcp.callTool({ name: 'record', arguments: { units: 'ten' } })
    expect(expectToolError(bad)).toMatch(/at units/)
  })

  it('keeps stdout for the protocol and logs on stderr', () => {
    expect(stdio.transportErrors).toEqual([])
    expect(stdio.stderr()).toContain(
      `[agentbill-mcp] ${PACKAGE_VERSION} on stdio; AgentBill at ${agentBill.url}`,
    )
    expect(stdio.stderr()).toContain('agent "stdio-agent", customer "stdio-customer"')
  })

  it('answers with a tool error when the AgentBill server is down', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}`
    const down = await connectStdio([], {
      AGENTBILL_API_KEY: 'agb_any',
      AGENTBILL_BASE_URL: baseUrl,
    })
    try {
      const result = await down.mcp.callTool({
        name: 'preflight',
        arguments: { agent_id: 'a', estimated_units: 1 },
      })
      expect(expectToolError(result)).toContain(
        `The AgentBill server at ${baseUrl} is unavailable: it could not be reached (ECONNREFUSED)`,
      )
    } finally {
      await down.mcp.close()
    }
  })
})

describe('starting the binary', () => {
  it('exits with 1 and names AGENTBILL_API_KEY when the key is missing', async () => {
    const result = await runCli([], {})
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('AGENTBILL_API_KEY is not set')
  })

  it('exits with 1 and names a bad flag or variable', async () => {
    const unknown = await runCli(['--bogus'], { AGENTBILL_API_KEY: 'agb_x' })
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain("Unknown option '--bogus'")
    const badUrl = await runCli([], { AGENTBILL_API_KEY: 'agb_x', AGENTBILL_BASE_URL: 'ftp://x' })
    expect(badUrl.code).toBe(1)
    expect(badUrl.stderr).toContain('AGENTBILL_BASE_URL must be an http(s) URL')
  })

  it('prints --help and --version on stdout', async () => {
    const help = await runCli(['--help'], {})
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: agentbill-mcp')
    expect((await runCli(['--version'], {})).stdout).toBe(`${PACKAGE_VERSION}\n`)
  })
})
