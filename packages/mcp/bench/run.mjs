// What the MCP layer adds to one tool call, against calling the `agentbill` client directly.
//
// The AgentBill server runs in its own process (so its work does not land on this process's
// clock); this process runs the same calls three ways, interleaved round by round:
//   direct     bill.balance() / bill.preflight() / bill.record()
//   in-memory  the same through an MCP Client ↔ server pair over InMemoryTransport
//   http       the same over stateless Streamable HTTP on loopback (a fresh server per request)
// and reports the median per call (wall and this process's CPU), the ratio to direct, and the
// difference. Bounded: ROUNDS × CALLS calls per tool and mode, loopback only.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnServerProcess } from '@agentbill/server/testing'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { AgentBill } from 'agentbill'
import { createAgentBillMcpServer, startHttpServer } from '../dist/index.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const CALLS = Number(process.env.BENCH_CALLS ?? 200)
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
}

async function measure(run, count) {
  const cpuStart = process.cpuUsage()
  const start = process.hrtime.bigint()
  for (let index = 0; index < count; index++) {
    const result = await run()
    if (result?.isError === true) throw new Error(JSON.stringify(result.content))
  }
  const wallNs = Number(process.hrtime.bigint() - start)
  const cpu = process.cpuUsage(cpuStart)
  return { wallUs: wallNs / 1000 / count, cpuUs: (cpu.user + cpu.system) / count }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const rows = []
try {
  for (const name of toolOrder) {
    const tool = allTools[name]
    for (const run of Object.values(modes)) await measure(() => run(tool), WARMUP)
    const samples = Object.fromEntries(Object.keys(modes).map((mode) => [mode, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const [mode, run] of Object.entries(modes)) {
        samples[mode].push(await measure(() => run(tool), CALLS))
      }
    }
    const summary = Object.fromEntries(
      Object.entries(samples).map(([mode, list]) => [
        mode,
        { wallUs: median(list.map((s) => s.wallUs)), cpuUs: median(list.map((s) => s.cpuUs)) },
      ]),
    )
    const base = summary.direct
    for (const mode of Object.keys(modes)) {
      const { wallUs, cpuUs } = summary[mode]
      rows.push({
        tool: name,
        mode,
        'wall µs/call': wallUs.toFixed(0),
        'vs direct': `${(wallUs / base.wallUs).toFixed(2)}×`,
        'added wall µs': mode === 'direct' ? '' : (wallUs - base.wallUs).toFixed(0),
        'CPU µs/call': cpuUs.toFixed(0),
        'added CPU µs': mode === 'direct' ? '' : (cpuUs - base.cpuUs).toFixed(0),
      })
    }
  }
  console.log(
    `node ${process.version}, ${ROUNDS} rounds × ${CALLS} sequential calls per tool and mode (medians); AgentBill server in a child process on loopback`,
  )
  console.table(rows)
} finally {
  await inMemory.close()
  await overHttp.close()
  await http.close()
  await server.stop()
  rmSync(folder, { recursive: true, force: true })
}
