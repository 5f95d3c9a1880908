import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createTcpServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '@agentbill/server'
import { AgentBill } from 'agentbill'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BalanceOutput } from '../src/tools/balance-tool'
import type { PreflightOutput } from '../src/tools/preflight-tool'
import type { RecordOutput } from '../src/tools/record-tool'
import type { ReleaseOutput } from '../src/tools/release-tool'
import {
  type AgentBillFixture,
  closedPort,
  connectInMemory,
  expectToolError,
  type InMemoryConnection,
  mcpClient,
  startAgentBill,
  structured,
  textOf,
} from './agentbill-fixture'

let agentBill: AgentBillFixture
let connection: InMemoryConnection
let customerCount = 0
/** A customer no other test touched: every customer starts with the free 1,000 units. */
const newCustomer = () => `customer-${++customerCount}`

beforeAll(async () => {
  agentBill = await startAgentBill()
  connection = await connectInMemory({
    client: mcpClient({ apiKey: agentBill.runtimeKey, baseUrl: agentBill.url }),
    defaultAgentId: 'claude',
    defaultCustomerId: 'acme',
  })
})

afterAll(async () => {
  await connection?.close()
  await agentBill?.close()
})

const call = (name: string, args: Record<string, unknown>) =>
  connection.mcp.callTool({ name, arguments: args })

describe('tool list', () => {
  it('lists preflight, record, release and balance with input and output schemas', async () => {
    const { tools } = await connection.mcp.listTools()
    expect(tools.map((tool) => tool.name)).toEqual(['preflight', 'record', 'release', 'balance'])
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(40)
      expect(tool.inputSchema.type).toBe('object')
      // An unknown (say camelCase) field is refused by name, never ignored.
      expect(tool.inputSchema.additionalProperties).toBe(false)
      expect(tool.outputSchema?.type).toBe('object')
    }
    const preflight = tools.find((tool) => tool.name === 'preflight')
    expect(Object.keys(preflight?.inputSchema.properties ?? {})).toEqual([
      'agent_id',
      'customer_id',
      'estimated_units',
      'ceiling',
      'run_id',
      'reserve',
      'ttl_seconds',
      'idempotency_key',
    ])
    // With a default agent, agent_id may be left out.
    expect(preflight?.inputSchema.required ?? []).not.toContain('agent_id')
    expect(
      Object.keys(tools.find((tool) => tool.name === 'record')?.inputSchema.properties ?? {}),
    ).toEqual([
      'agent_id',
      'customer_id',
      'units',
      'metadata',
      'reservation_id',
      'run_id',
      'idempotency_key',
    ])
  })

  it('writes schemas every host can map (no type arrays, no empty schemas)', async () => {
    const { tools } = await connection.mcp.listTools()
    const problems: string[] = []
    const walk = (node: unknown, path: string) => {
      if (typeof node !== 'object' || node === null) return
      const schema = node as Record<string, unknown>
      // ["string", "null"] is legal JSON Schema, but single-type dialects (Gemini) reject it.
      if (Array.isArray(schema.type)) problems.push(`${path}: type ${JSON.stringify(schema.type)}`)
      for (const [key, value] of Object.entries(schema)) {
        if (key === 'additionalProperties' && JSON.stringify(value) === '{}') {
          problems.push(`${path}.${key}: empty schema`)
        }
        walk(value, `${path}.${key}`)
      }
    }
    for (const tool of tools) {
      walk(tool.inputSchema, `${tool.name}.inputSchema`)
      walk(tool.outputSchema, `${tool.name}.outputSchema`)
    }
    expect(problems).toEqual([])
  })

  it('tells hosts which tools change state', async () => {
    const { tools } = await connection.mcp.listTools()
    const annotations = Object.fromEntries(tools.map((tool) => [tool.name, tool.annotations]))
    expect(annotations.balance).toMatchObject({ readOnlyHint: true, openWorldHint: false })
    expect(annotations.preflight).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    })
    expect(annotations.record).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    })
    expect(annotations.release).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
    })
  })

  it('requires agent_id when the server has no default agent', async () => {
    const bare = await connectInMemory({
      client: mcpClient({ apiKey: agentBill.runtimeKey, baseUrl: agentBill.url }),
    })
    try {
      const { tools } = await bare.mcp.listTools()
      for (const name of ['preflight', 'record']) {
        expect(tools.find((tool) => tool.name === name)?.inputSchema.required).toContain('agent_id')
      }
      const customer = newCustomer()
      const text = expectToolError(
        await bare.mcp.callTool({ name: 'preflight', arguments: { customer_id: customer } }),
      )
      expect(text).toMatch(/is required at agent_id/)
      expect(bare.mcp.getInstructions()).toContain('agent_id is required')
    } finally {
      await bare.close()
    }
  })

  it('sends instructions that explain the preflight → record / release flow', () => {
    const instructions = connection.mcp.getInstructions() ?? ''
    expect(instructions).toContain('preflight')
    expect(instructions).toContain('record')
    expect(instructions).toContain('release')
    expect(instructions).toContain('agent_id defaults to "claude"')
  })
})

describe('preflight, record, release and balance against the real server', () => {
  it('approves and holds, then record settles the hold and counts once', async () => {
    const customer = newCustomer()
    const check = structured<PreflightOutput>(
      await call('preflight', { customer_id: customer, estimated_units: 10, reserve: true }),
    )
    expect(check).toMatchObject({
      approved: true,
      reason: null,
      agent_id: 'claude',
      customer_id: customer,
      estimated_units: 10,
      remaining_units: 990,
    })
    expect(check.reservation_id).toMatch(/^rsv_/)
    expect((await agentBill.admin.balance(customer)).reservedUnits).toBe(10)

    const args = {
      customer_id: customer,
      units: 7,
      reservation_id: check.reservation_id,
      idempotency_key: `step-${customer}`,
      metadata: { model: 'claude-sonnet', tokens: 6_800 },
    }
    const first = await call('record', args)
    expect(structured<RecordOutput>(first)).toMatchObject({
      recorded: true,
      queued: false,
      duplicate: false,
      units: 7,
      remaining_units: 993,
      reservation_status: 'settled',
    })
    expect(textOf(first)).toMatch(/^Recorded 7 units for customer "customer-\d+" as evt_/)

    // The model retries the same step: the same key counts nothing twice.
    const again = structured<RecordOutput>(await call('record', args))
    expect(again.duplicate).toBe(true)
    expect(again.event_id).toBe(structured<RecordOutput>(first).event_id)

    const balance = await agentBill.admin.balance(customer)
    expect(balance).toMatchObject({ usedUnits: 7, reservedUnits: 0, remainingUnits: 993 })
    const events = await agentBill.admin.admin.events.list({ customerId: customer })
    expect(events.data).toHaveLength(1)
    expect(events.data[0]).toMatchObject({ agentId: 'claude', units: 7 })
  })

  it('answers a blocked preflight as a normal result with the reason and upgrade URL', async () => {
    const customer = newCustomer()
    const result = await call('preflight', {
      customer_id: customer,
      estimated_units: 5_000,
      reserve: true,
    })
    expect(result.isError ?? false).toBe(false)
    expect(structured<PreflightOutput>(result)).toMatchObject({
      approved: false,
      reason: 'budget_exhausted',
      remaining_units: 1_000,
      estimated_units: 5_000,
      reservation_id: null,
      upgrade_url: `https://billing.example/upgrade?customer=${customer}`,
    })
    expect(textOf(result)).toBe(
      `Blocked (budget_exhausted): customer "${customer}" has 1000 left, the work needs 5000. Do not start the work. More units: https://billing.example/upgrade?customer=${customer}`,
    )
    expect((await agentBill.admin.balance(customer)).reservedUnits).toBe(0)
  })

  it('blocks past a ceiling with ceiling_exceeded', async () => {
    const result = structured<PreflightOutput>(
      await call('preflight', { customer_id: newCustomer(), estimated_units: 50, ceiling: 20 }),
    )
    expect(result).toMatchObject({ approved: false, reason: 'ceiling_exceeded', ceiling: 20 })
  })

  it('covers a whole run with one ceiling through run_id', async () => {
    const customer = newCustomer()
    const run = { customer_id: customer, run_id: `run-${customer}`, ceiling: 30 }
    const first = structured<PreflightOutput>(
      await call('preflight', { ...run, estimated_units: 20, reserve: true }),
    )
    expect(first).toMatchObject({
      approved: true,
      run_id: run.run_id,
      ceiling: 30,
      run_remaining_units: 10,
    })
    await call('record', {
      customer_id: customer,
      run_id: run.run_id,
      units: 20,
      reservation_id: first.reservation_id,
    })
    const second = structured<PreflightOutput>(
      await call('preflight', { ...run, estimated_units: 15 }),
    )
    expect(second).toMatchObject({ approved: false, reason: 'ceiling_exceeded' })
  })

  it('returns the same decision for the same idempotency_key and holds once', async () => {
    const customer = newCustomer()
    const args = {
      customer_id: customer,
      estimated_units: 40,
      reserve: true,
      idempotency_key: `hold-${customer}`,
    }
    const first = structured<PreflightOutput>(await call('preflight', args))
    const second = structured<PreflightOutput>(await call('preflight', args))
    expect(second.preflight_id).toBe(first.preflight_id)
    expect(second.reservation_id).toBe(first.reservation_id)
    expect((await agentBill.admin.balance(customer)).reservedUnits).toBe(40)
  })

  it('releases a hold; releasing it again changes nothing', async () => {
    const customer = newCustomer()
    const { reservation_id } = structured<PreflightOutput>(
      await call('preflight', { customer_id: customer, estimated_units: 25, reserve: true }),
    )
    expect((await agentBill.admin.balance(customer)).reservedUnits).toBe(25)
    const released = await call('release', { reservation_id })
    expect(structured<ReleaseOutput>(released)).toMatchObject({
      reservation_id,
      status: 'released',
      customer_id: customer,
      agent_id: 'claude',
      units: 25,
    })
    expect(textOf(released)).toContain('is released')
    expect((await agentBill.admin.balance(customer)).reservedUnits).toBe(0)
    expect(structured<ReleaseOutput>(await call('release', { reservation_id })).status).toBe(
      'released',
    )
    expect((await agentBill.admin.balance(customer)).remainingUnits).toBe(1_000)
  })

  it('says a settled hold was already closed when released', async () => {
    const customer = newCustomer()
    const { reservation_id } = structured<PreflightOutput>(
      await call('preflight', { customer_id: customer, estimated_units: 5, reserve: true }),
    )
    await call('record', { customer_id: customer, units: 5, reservation_id })
    const result = await call('release', { reservation_id })
    expect(structured<ReleaseOutput>(result).status).toBe('settled')
    expect(textOf(result)).toContain('already settled')
    expect((await agentBill.admin.balance(customer)).usedUnits).toBe(5)
  })

  it('reads a balance (also as the agentbill://balance resource)', async () => {
    const customer = newCustomer()
    await call('record', { customer_id: customer, units: 12 })
    const result = await call('balance', { customer_id: customer })
    expect(structured<BalanceOutput>(result)).toEqual({
      customer_id: customer,
      granted_units: 1_000,
      used_units: 12,
      reserved_units: 0,
      remaining_units: 988,
      overage_units: 0,
      unlimited: false,
      period: 'none',
      period_start: null,
      period_end: null,
    })
    expect(textOf(result)).toBe(`Customer "${customer}": 988 of 1000 units left (12 used, 0 held).`)

    const resource = await connection.mcp.readResource({ uri: `agentbill://balance/${customer}` })
    const content = resource.contents[0]
    expect(content?.mimeType).toBe('application/json')
    expect(JSON.parse(String(content && 'text' in content ? content.text : ''))).toEqual(
      structured<BalanceOutput>(result),
    )
  })

  it('uses the default customer when none is named, and lists its balance resource', async () => {
    const before = (await agentBill.admin.balance('acme')).usedUnits
    structured<RecordOutput>(await call('record', { units: 3 }))
    expect((await agentBill.admin.balance('acme')).usedUnits).toBe(before + 3)
    expect(structured<BalanceOutput>(await call('balance', {})).customer_id).toBe('acme')
    const { resources } = await connection.mcp.listResources()
    expect(resources.map((resource) => resource.uri)).toEqual(['agentbill://balance/acme'])
  })
})

describe('tool errors', () => {
  it.each([
    ['preflight', 'a fraction of a unit', { estimated_units: 1.5 }, /estimated_units/],
    [
      'preflight',
      'negative units',
      { estimated_units: -1 },
      /must not be negative at estimated_units/,
    ],
    ['preflight', 'units as a string', { estimated_units: '10' }, /estimated_units/],
    [
      'preflight',
      'a camelCase field',
      { estimatedUnits: 10 },
      /Unrecognized key: "estimatedUnits"/,
    ],
    ['preflight', 'a fractional ceiling', { ceiling: 2.5 }, /whole number of units.* at ceiling/],
    ['preflight', 'a zero TTL', { ttl_seconds: 0 }, /must be at least 1 at ttl_seconds/],
    ['preflight', 'reserve as a string', { reserve: 'yes' }, /must be true or false at reserve/],
    ['preflight', 'an empty agent', { agent_id: '' }, /must not be empty at agent_id/],
    [
      'preflight',
      'a control character',
      { agent_id: 'bad\u0007agent' },
      /^Invalid agent_id: must not contain control/,
    ],
    [
      'preflight',
      'a 201-character run id',
      { run_id: 'r'.repeat(201) },
      /^Invalid run_id: must be 1 to 200 characters/,
    ],
    ['record', 'a fraction of a unit', { units: 0.5 }, /whole number of units.* at units/],
    ['record', 'null units', { units: null }, /units/],
    [
      'record',
      'metadata as an array',
      { metadata: ['a', 'b'] },
      /must be a JSON object at metadata/,
    ],
    [
      'record',
      'metadata over 4 KiB',
      { metadata: { blob: 'x'.repeat(5_000) } },
      /^Invalid metadata: must be at most 4096/,
    ],
    [
      'record',
      'a camelCase field',
      { reservationId: 'rsv_1' },
      /Unrecognized key: "reservationId"/,
    ],
    ['release', 'no reservation id', {}, /is required at reservation_id/],
    ['balance', 'a numeric customer', { customer_id: 42 }, /must be a string at customer_id/],
  ])(
    '%s with %s is a tool error naming the field, and changes nothing',
    async (tool, _label, args, message) => {
      const customer = newCustomer()
      const withCustomer = 'customer_id' in args ? args : { ...args, customer_id: customer }
      const text = expectToolError(await call(tool, tool === 'release' ? args : withCustomer))
      expect(text).toMatch(message)
      const balance = await agentBill.admin.balance(customer)
      expect(balance).toMatchObject({ usedUnits: 0, reservedUnits: 0 })
      const decisions = await agentBill.admin.admin.decisions.list({ customerId: customer })
      expect(decisions.data).toHaveLength(0)
    },
  )

  it('refuses an idempotency_key reused for other usage, naming it', async () => {
    const customer = newCustomer()
    const key = `once-${customer}`
    structured(await call('record', { customer_id: customer, units: 4, idempotency_key: key }))
    const text = expectToolError(
      await call('record', { customer_id: customer, units: 9, idempotency_key: key }),
    )
    expect(text).toContain(`idempotency_key "${key}" was already used with other values`)
    expect((await agentBill.admin.balance(customer)).usedUnits).toBe(4)
  })

  it('says so when a reservation does not exist', async () => {
    const text = expectToolError(await call('release', { reservation_id: 'rsv_unknown' }))
    expect(text).toMatch(/404 not_found/)
    expect(text).toContain('Nothing was released')
  })

  it('names AGENTBILL_API_KEY when the server refuses the key', async () => {
    const wrongKey = await connectInMemory({
      client: mcpClient({ apiKey: 'agb_not_a_real_key', baseUrl: agentBill.url }),
      defaultAgentId: 'claude',
    })
    try {
      const text = expectToolError(await wrongKey.mcp.callTool({ name: 'balance', arguments: {} }))
      expect(text).toContain('401 authentication_failed')
      expect(text).toContain('Check AGENTBILL_API_KEY')
    } finally {
      await wrongKey.close()
    }
  })
})

describe('the AgentBill server is down', () => {
  let down: InMemoryConnection
  let baseUrl: string

  beforeAll(async () => {
    baseUrl = `http://127.0.0.1:${await closedPort()}`
    down = await connectInMemory({
      client: mcpClient({ apiKey: 'agb_whatever', baseUrl }),
      defaultAgentId: 'claude',
    })
  })
  afterAll(() => down?.close())

  it('answers a preflight with a tool error, never an approval or a fake block', async () => {
    const result = await down.mcp.callTool({
      name: 'preflight',
      arguments: { estimated_units: 10, reserve: true, idempotency_key: 'pf-1' },
    })
    expect(expectToolError(result)).toBe(
      `The AgentBill server at ${baseUrl} is unavailable: it could not be reached (ECONNREFUSED). Nothing was held. Try again later with idempotency_key "pf-1" so it counts only once.`,
    )
  })

  it.each([
    ['record', { units: 5 }, 'Nothing was recorded'],
    ['release', { reservation_id: 'rsv_1' }, 'Nothing was released'],
    ['balance', {}, 'No balance was read'],
  ])('answers %s with a tool error naming the server', async (name, args, unchanged) => {
    const text = expectToolError(await down.mcp.callTool({ name, arguments: args }))
    expect(text).toContain(`The AgentBill server at ${baseUrl} is unavailable`)
    expect(text).toContain('ECONNREFUSED')
    expect(text).toContain(unchanged)
  })

  it('fails a resource read with the same message', async () => {
    await expect(down.mcp.readResource({ uri: 'agentbill://balance/default' })).rejects.toThrow(
      /is unavailable: it could not be reached \(ECONNREFUSED\)/,
    )
  })

  it('records exactly once when the model retries with the key from the error', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'agentbill-mcp-'))
    const database = join(folder, 'ledger.db')
    const first = await startServer({ port: 0, database, logger: false })
    const adminKey = first.bootstrapped?.adminKey ?? ''
    const port = first.port
    const { key } = await new AgentBill({ apiKey: adminKey, baseUrl: first.url }).admin.keys.create(
      {
        name: 'mcp',
        scope: 'runtime',
      },
    )
    const outage = await connectInMemory({
      client: mcpClient({ apiKey: key, baseUrl: first.url }),
      defaultAgentId: 'claude',
    })
    let restarted: Awaited<ReturnType<typeof startServer>> | undefined
    try {
      await first.close()
      const text = expectToolError(
        await outage.mcp.callTool({ name: 'record', arguments: { customer_id: 'c', units: 8 } }),
      )
      const retryKey = /idempotency_key "([^"]+)"/.exec(text)?.[1]
      expect(retryKey).toMatch(/^mcp_/)

      restarted = await startServer({ port, database, logger: false })
      const retry = { customer_id: 'c', units: 8, idempotency_key: retryKey }
      const recorded = await outage.mcp.callTool({ name: 'record', arguments: retry })
      expect(structured<RecordOutput>(recorded)).toMatchObject({ recorded: true, duplicate: false })
      const again = await outage.mcp.callTool({ name: 'record', arguments: retry })
      expect(structured<RecordOutput>(again).duplicate).toBe(true)
      const admin = new AgentBill({ apiKey: adminKey, baseUrl: restarted.url })
      expect((await admin.balance('c')).usedUnits).toBe(8)
    } finally {
      await outage.close()
      await restarted?.close()
      rmSync(folder, { recursive: true, force: true })
    }
  })
})

// What the real server cannot be made to do on demand: answer 503, or never answer. A bare
// socket stands in for it (no mocking of our own code).
describe('the AgentBill server misbehaves', () => {
  const listen = async (server: Server | ReturnType<typeof createTcpServer>) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    const address = server.address()
    return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
  }

  it('reports a server that keeps answering 503 as unavailable, holding nothing', async () => {
    const failing = createHttpServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ error: { type: 'internal', message: 'down for a moment' } }))
    })
    const baseUrl = await listen(failing)
    const broken = await connectInMemory({
      client: mcpClient({ apiKey: 'agb_any', baseUrl }),
      defaultAgentId: 'claude',
    })
    try {
      const preflight = await broken.mcp.callTool({
        name: 'preflight',
        arguments: { estimated_units: 3, reserve: true, idempotency_key: 'k-503' },
      })
      expect(expectToolError(preflight)).toBe(
        `The AgentBill server at ${baseUrl} is unavailable: it answered 503 internal. Nothing was held. Try again later with idempotency_key "k-503" so it counts only once.`,
      )
      const record = await broken.mcp.callTool({ name: 'record', arguments: { units: 3 } })
      expect(expectToolError(record)).toMatch(/it answered 503 internal\. Nothing was recorded\./)
      const balance = await broken.mcp.callTool({ name: 'balance', arguments: {} })
      expect(expectToolError(balance)).toMatch(/it answered 503 internal\. No balance was read\./)
    } finally {
      await broken.close()
      await new Promise((resolve) => failing.close(resolve))
    }
  })

  it('reports a server that never answers as a timeout', async () => {
    const sockets = new Set<Socket>()
    const silent = createTcpServer((socket) => {
      sockets.add(socket)
    })
    const baseUrl = await listen(silent)
    const client = new AgentBill({
      apiKey: 'agb_any',
      baseUrl,
      timeoutMs: 200,
      maxRetries: 0,
      maxQueuedRecords: 0,
    })
    const hung = await connectInMemory({ client, defaultAgentId: 'claude' })
    try {
      const result = await hung.mcp.callTool({ name: 'preflight', arguments: {} })
      expect(expectToolError(result)).toMatch(
        new RegExp(
          `^The AgentBill server at ${baseUrl} is unavailable: it did not answer within 200 ms\\. No decision was made\\.`,
        ),
      )
    } finally {
      await hung.close()
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })
})
