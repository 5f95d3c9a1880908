// `pnpm bench`: what the AgentBill middleware adds to each AI SDK call, beside the bare model in
// the same process and run. Against a real AgentBill server — in this process (SQLite in memory,
// sharing the event loop) and in its own process (SQLite file, as deployed) — with two models:
// (1) `@ai-sdk/openai` on the local OpenAI-compatible fake over loopback HTTP and (2)
// `MockLanguageModelV4` in process, so the middleware's own cost shows without provider latency.
// Each model is called with generateText and with streamText (read to the end).
// Bounded: ROUNDS × CALLS calls per arm after a warm-up, bare and gated alternating by round;
// medians reported.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { startFakeOpenAI } from '@agentbill/fake-openai'
import { spawnServerProcess, startTestServer } from '@agentbill/server/testing'
import { createOpenAI } from '@ai-sdk/openai'
import { AgentBill } from 'agentbill'
import { generateText, simulateReadableStream, streamText, wrapLanguageModel } from 'ai'
import { MockLanguageModelV4 } from 'ai/test'

const ROUNDS = 10
const CALLS = 20
const WARMUP = 20

if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  throw new Error('dist/index.js is missing: build the package first (pnpm build)')
}
const { agentBillMiddleware } = await import('../dist/index.js')

const fake = await startFakeOpenAI()
const prompt = 'Summarise the plot of Hamlet in two sentences.'
const answer = 'A prince avenges his father. Almost everyone dies.'
const usage = {
  inputTokens: { total: 20, noCache: 20, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 12, text: 12, reasoning: undefined },
}
const finishReason = { unified: 'stop', raw: 'stop' }
const mock = new MockLanguageModelV4({
  modelId: 'gpt-4o-mini',
  doGenerate: async () => ({
    content: [{ type: 'text', text: answer }],
    finishReason,
    usage,
    warnings: [],
  }),
  doStream: async () => ({
    stream: simulateReadableStream({
      initialDelayInMs: null,
      chunkDelayInMs: null,
      chunks: [
        { type: 'stream-start', warnings: [] },
        { type: 'text-start', id: 't' },
        ...answer.split(/(?= )/).map((delta) => ({ type: 'text-delta', id: 't', delta })),
        { type: 'text-end', id: 't' },
        { type: 'finish', finishReason, usage },
      ],
    }),
  }),
})
const openai = createOpenAI({ apiKey: 'sk-fake', baseURL: fake.baseURL })
const models = {
  '@ai-sdk/openai → local fake (HTTP)': openai.chat('gpt-4o-mini'),
  'MockLanguageModelV4 in process': mock,
}
const calls = {
  generateText: (model) => generateText({ model, prompt, maxOutputTokens: 200 }),
  streamText: async (model) => {
    const result = streamText({ model, prompt, maxOutputTokens: 200 })
    for await (const _part of result.fullStream);
  },
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
async function time(call) {
  const start = performance.now()
  await call()
  return performance.now() - start
}

async function inProcessServer() {
  const server = await startTestServer()
  return { name: 'in this process, SQLite in memory', ...server, stop: () => server.close() }
}
async function ownProcessServer() {
  const directory = mkdtempSync(join(os.tmpdir(), 'agentbill-ai-sdk-bench-'))
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
for (const startServer of [inProcessServer, ownProcessServer]) {
  const server = await startServer()
  const bill = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url })
  await bill.admin.customers.update('bench-customer', { unlimited: true })
  await bill.admin.customers.update('bench-lifecycle', { unlimited: true })
  const middleware = agentBillMiddleware({
    client: bill,
    agentId: 'bench',
    customerId: 'bench-customer',
  })
  let gatedCalls = 0
  // The floor any adapter pays, measured in the same rounds: the core client's own
  // preflight-with-hold and record, no AI SDK.
  const lifecycle = async () => {
    const call = await bill.beginCall({
      defaults: { agentId: 'bench', customerId: 'bench-lifecycle' },
      estimatedUnits: 1,
    })
    await call.record(1)
  }
  for (const [modelName, model] of Object.entries(models)) {
    const gatedModel = wrapLanguageModel({ model, middleware })
    for (const [callName, call] of Object.entries(calls)) {
      const bareCall = () => call(model)
      const gatedCall = () => call(gatedModel)
      for (let index = 0; index < WARMUP; index++) {
        await time(bareCall)
        await time(gatedCall)
      }
      const bare = []
      const gated = []
      const floor = []
      for (let round = 0; round < ROUNDS; round++) {
        for (let index = 0; index < CALLS; index++) bare.push(await time(bareCall))
        for (let index = 0; index < CALLS; index++) gated.push(await time(gatedCall))
        for (let index = 0; index < CALLS; index++) floor.push(await time(lifecycle))
      }
      gatedCalls += WARMUP + ROUNDS * CALLS
      const bareMs = median(bare)
      const gatedMs = median(gated)
      rows.push({
        server: server.name,
        name: `${modelName}, ${callName}`,
        bareMs,
        gatedMs,
        overheadMs: gatedMs - bareMs,
        ratio: gatedMs / bareMs,
        floorMs: median(floor),
      })
    }
  }
  // Every gated call was billed exactly once (each uses under 1,000 tokens: one unit).
  await bill.flush({ timeoutMs: 5000 })
  const { usedUnits, reservedUnits } = await bill.balance('bench-customer')
  if (usedUnits !== gatedCalls || reservedUnits !== 0) {
    throw new Error(`recorded ${usedUnits} units (${reservedUnits} held) for ${gatedCalls} calls`)
  }
  await server.stop()
}
await fake.close()

const fixed = (value, digits = 2) => value.toFixed(digits)
console.log(
  `@agentbill/ai-sdk overhead — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
)
console.log(
  `median of ${ROUNDS * CALLS} sequential calls per arm (after ${WARMUP} warm-up calls each); through the middleware, each call is also estimated, preflighted with a hold and recorded, over loopback HTTP\n`,
)
console.log(
  '| AgentBill server | model, call | bare | with middleware | overhead per call | ratio | floor: beginCall + record alone |',
)
console.log('|---|---|---:|---:|---:|---:|---:|')
for (const row of rows) {
  console.log(
    `| ${row.server} | ${row.name} | ${fixed(row.bareMs)} ms | ${fixed(row.gatedMs)} ms | ${fixed(row.overheadMs)} ms | ${fixed(row.ratio)}× | ${fixed(row.floorMs)} ms |`,
  )
}
