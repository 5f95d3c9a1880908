// What the MCP layer adds to one tool call, against calling the `agentbill` client directly.
//
// The AgentBill server runs in its own process (so its work does not land on this process's
// clock); this process makes the same calls four ways, taking turns call by call:
//   direct     bill.balance() / bill.preflight() / bill.record()
//   in-memory  the same through an MCP Client ↔ server pair over InMemoryTransport
//   http       the same over stateless Streamable HTTP on loopback (a fresh server per request)
//   http sessions  the same over Streamable HTTP with a session (one server, SSE responses)
// and reports the median µs per call (wall, and this process's CPU), the ratio to direct, and
// the median difference to the direct call of the same turn. Bounded: CALLS calls per tool and
// mode, loopback only.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnServerProcess } from '@agentbill/server/testing'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { AgentBill } from 'agentbill'
import { createAgentBillMcpServer, startHttpServer } from '../dist/index.js'

const CALLS = Number(process.env.BENCH_CALLS ?? 1500)
const WARMUP = 100

const folder = mkdtempSync(join(tmpdir(), 'agentbill-mcp-bench-'))
const server = await spawnServerProcess({
  database: join(folder, 'ledger.db'),
  // The server's durability is not what is measured here; NORMAL keeps fsync noise out.
  args: ['--synchronous', 'NORMAL'],
})
const admin = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url })
const { key } = await admin.admin.keys.create({ name: 'bench', scope: 'runtime' })
// As the agentbill-mcp command builds it.
const bill = new AgentBill({ apiKey: key, baseUrl: server.url, maxQueuedRecords: 0 })

const inMemoryServer = createAgentBillMcpServer({ client: bill, defaultAgentId: 'bench' })
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
await inMemoryServer.connect(serverSide)
const inMemory = new Client({ name: 'bench', version: '1' })
await inMemory.connect(clientSide)

const http = await startHttpServer({
  createServer: () => createAgentBillMcpServer({ client: bill, defaultAgentId: 'bench' }),
  port: 0,
  log: () => {},
})
const overHttp = new Client({ name: 'bench', version: '1' })
await overHttp.connect(new StreamableHTTPClientTransport(new URL(http.url)))

const httpSessions = await startHttpServer({
  createServer: () => createAgentBillMcpServer({ client: bill, defaultAgentId: 'bench' }),
  port: 0,
  sessions: true,
  log: () => {},
})
const overSession = new Client({ name: 'bench', version: '1' })
await overSession.connect(new StreamableHTTPClientTransport(new URL(httpSessions.url)))

let sequence = 0
const toolOrder = (process.env.BENCH_TOOLS ?? 'balance,preflight,record').split(',')
const allTools = {
  balance: {
    direct: () => bill.balance('bench-customer'),
    mcp: (mcp) => mcp.callTool({ name: 'balance', arguments: { customer_id: 'bench-customer' } }),
  },
  preflight: {
    direct: () =>
      bill.preflight({ agentId: 'bench', customerId: 'bench-customer', estimatedUnits: 1 }),
    mcp: (mcp) =>
      mcp.callTool({
        name: 'preflight',
        arguments: { customer_id: 'bench-customer', estimated_units: 1 },
      }),
  },
  record: {
    direct: () =>
      bill.record({
        agentId: 'bench',
        customerId: 'bench-customer',
        units: 1,
        idempotencyKey: `direct-${++sequence}`,
      }),
    mcp: (mcp) =>
      mcp.callTool({
        name: 'record',
        arguments: {
          customer_id: 'bench-customer',
          units: 1,
          idempotency_key: `mcp-${++sequence}`,
        },
      }),
  },
}
const modes = {
  direct: (tool) => tool.direct(),
  'in-memory': (tool) => tool.mcp(inMemory),
  http: (tool) => tool.mcp(overHttp),
  'http sessions': (tool) => tool.mcp(overSession),
}

/**
 * `count` calls of each mode, taking turns call by call, so every mode meets the same load from
 * the rest of the machine. Answers every call's µs (wall, and this process's CPU) per mode.
 */
async function calls(tool, count) {
  const samples = Object.fromEntries(Object.keys(modes).map((mode) => [mode, []]))
  const entries = Object.entries(modes)
  for (let index = 0; index < count; index++) {
    // Rotate who goes first: a call pays for what the one before it left behind (garbage,
    // sockets), and every mode should follow every other equally often.
    for (let turn = 0; turn < entries.length; turn++) {
      const [mode, run] = entries[(index + turn) % entries.length]
      const cpuStart = process.cpuUsage()
      const start = process.hrtime.bigint()
      const result = await run(tool)
      const wallUs = Number(process.hrtime.bigint() - start) / 1000
      const cpu = process.cpuUsage(cpuStart)
      if (result?.isError === true) throw new Error(JSON.stringify(result.content))
      samples[mode].push({ wallUs, cpuUs: cpu.user + cpu.system })
    }
  }
  return samples
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const rows = []
try {
  for (const name of toolOrder) {
    const tool = allTools[name]
    await calls(tool, WARMUP)
    const samples = await calls(tool, CALLS)
    const base = samples.direct
    for (const mode of Object.keys(modes)) {
      const list = samples[mode]
      const wallUs = median(list.map((sample) => sample.wallUs))
      const cpuUs = median(list.map((sample) => sample.cpuUs))
      // Paired: each call against the direct call of the same turn, under the same load.
      const addedWall = median(list.map((sample, index) => sample.wallUs - base[index].wallUs))
      const addedCpu = median(list.map((sample, index) => sample.cpuUs - base[index].cpuUs))
      rows.push({
        tool: name,
        mode,
        'wall µs/call': wallUs.toFixed(0),
        'vs direct': `${(wallUs / median(base.map((sample) => sample.wallUs))).toFixed(2)}×`,
        'added wall µs': mode === 'direct' ? '' : addedWall.toFixed(0),
        'CPU µs/call': cpuUs.toFixed(0),
        'added CPU µs': mode === 'direct' ? '' : addedCpu.toFixed(0),
      })
    }
  }
  console.log(
    `node ${process.version}, ${CALLS} calls per tool and mode, taking turns (medians; added = median of paired differences); AgentBill server in a child process on loopback`,
  )
  console.table(rows)
} finally {
  await inMemory.close()
  await overHttp.close()
  await overSession.close()
  await http.close()
  await httpSessions.close()
  await server.stop()
  rmSync(folder, { recursive: true, force: true })
}
