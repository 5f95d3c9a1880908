// `pnpm bench`: what the AgentBill callback handler adds to each model call, beside the bare call
// in the same process and run. Against a real AgentBill server — in this process (SQLite in
// memory, sharing the event loop) and in its own process (SQLite file, as deployed) — and, for the
// provider, (1) ChatOpenAI on the local OpenAI-compatible fake over loopback HTTP and (2)
// fakeModel() in process, so the handler's own cost shows without provider latency.
// Bounded: ROUNDS × CALLS calls per arm after a warm-up, bare and gated alternating by round;
// medians reported.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { startFakeOpenAI } from '@agentbill/fake-openai'
import { spawnServerProcess, startTestServer } from '@agentbill/server/testing'
import { AIMessage } from '@langchain/core/messages'
import { fakeModel } from '@langchain/core/testing'
import { ChatOpenAI } from '@langchain/openai'
import { AgentBill } from 'agentbill'

const ROUNDS = 5
const CALLS = 40
const WARMUP = 20

if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  throw new Error('dist/index.js is missing: build the package first (pnpm build)')
}
const { AgentBillCallbackHandler } = await import('../dist/index.js')

const fake = await startFakeOpenAI()

const prompt = 'Summarise the plot of Hamlet in two sentences.'
const chatOpenAI = new ChatOpenAI({
  model: 'gpt-4o-mini',
  apiKey: 'sk-fake',
  configuration: { baseURL: fake.baseURL },
  maxTokens: 200,
})
const answer = new AIMessage({
  content: 'A prince avenges his father. Almost everyone dies.',
  usage_metadata: { input_tokens: 20, output_tokens: 12, total_tokens: 32 },
})
const inProcess = fakeModel()
inProcess.respond(() => answer)
const alwaysAnswering = {
  invoke: (input, config) => {
    inProcess.respond(() => answer)
    return inProcess.invoke(input, config)
  },
}

const subjects = {
  'ChatOpenAI → local fake (HTTP)': chatOpenAI,
  'fakeModel() in process': alwaysAnswering,
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

async function time(model, config) {
  const start = performance.now()
  await model.invoke(prompt, config)
  return performance.now() - start
}

async function inProcessServer() {
  const server = await startTestServer()
  return { name: 'in this process, SQLite in memory', ...server, stop: () => server.close() }
}

async function ownProcessServer() {
  const directory = mkdtempSync(join(os.tmpdir(), 'agentbill-langchain-bench-'))
  const server = await spawnServerProcess({ database: join(directory, 'bench.sqlite') })
  return {
    name: 'own process, SQLite file',
    url: server.url,
    adminKey: server.adminKey,
    stop: async () => {
      await server.stop()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}

const rows = []
const floors = []
for (const startServer of [inProcessServer, ownProcessServer]) {
  const server = await startServer()
  const bill = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url })
  await bill.admin.customers.update('bench-customer', { unlimited: true })
  await bill.admin.customers.update('bench-lifecycle', { unlimited: true })
  const handler = new AgentBillCallbackHandler({
    client: bill,
    agentId: 'bench',
    customerId: 'bench-customer',
  })
  const gatedConfig = { callbacks: [handler] }
  // The floor any adapter pays: the core client's own preflight-with-hold and record, no LangChain,
  // for a call that is a run of its own (as each bare invoke here is, under the handler).
  const lifecycle = async () => {
    const start = performance.now()
    const call = await bill.beginCall({
      defaults: { agentId: 'bench', customerId: 'bench-lifecycle', runId: crypto.randomUUID() },
      estimatedUnits: 1,
    })
    await call.record(1)
    return performance.now() - start
  }
  const samples = Object.fromEntries(
    Object.keys(subjects).map((name) => [name, { bare: [], gated: [] }]),
  )
  const floor = []
  for (const model of Object.values(subjects)) {
    for (let index = 0; index < WARMUP; index++) {
      await time(model, {})
      await time(model, gatedConfig)
      await lifecycle()
    }
  }
  // Rounds interleave every arm, so load that comes and goes on the machine hits them alike.
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, model] of Object.entries(subjects)) {
      for (let index = 0; index < CALLS; index++) samples[name].bare.push(await time(model, {}))
      for (let index = 0; index < CALLS; index++)
        samples[name].gated.push(await time(model, gatedConfig))
    }
    for (let index = 0; index < CALLS; index++) floor.push(await lifecycle())
  }
  for (const [name, { bare, gated }] of Object.entries(samples)) {
    const bareMs = median(bare)
    const gatedMs = median(gated)
    rows.push({
      server: server.name,
      name,
      bareMs,
      gatedMs,
      overheadMs: gatedMs - bareMs,
      ratio: gatedMs / bareMs,
    })
  }
  floors.push({ server: server.name, ms: median(floor) })
  if (handler.openRuns !== 0) throw new Error(`the handler leaked ${handler.openRuns} runs`)
  await bill.flush({ timeoutMs: 5000 })
  const { usedUnits } = await bill.balance('bench-customer')
  const expected = Object.keys(subjects).length * (WARMUP + ROUNDS * CALLS)
  if (usedUnits !== expected) throw new Error(`recorded ${usedUnits} units, expected ${expected}`)
  await server.stop()
}
await fake.close()

const fixed = (value, digits = 2) => value.toFixed(digits)
console.log(
  `@agentbill/langchain overhead — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
)
console.log(
  `median of ${ROUNDS * CALLS} sequential model.invoke calls per arm (after ${WARMUP} warm-up calls each); with the handler, each call also preflights with a hold and records, over loopback HTTP\n`,
)
console.log('| AgentBill server | model | bare call | with handler | overhead per call | ratio |')
console.log('|---|---|---:|---:|---:|---:|')
for (const row of rows) {
  console.log(
    `| ${row.server} | ${row.name} | ${fixed(row.bareMs)} ms | ${fixed(row.gatedMs)} ms | +${fixed(row.overheadMs)} ms | ${fixed(row.ratio)}× |`,
  )
}
console.log(
  '\nFloor: bill.beginCall + call.record alone (the two round trips every adapter makes):',
)
for (const floor of floors) console.log(`- ${floor.server}: ${fixed(floor.ms)} ms`)
