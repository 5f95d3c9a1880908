// `pnpm bench`: what @agentbill/openai adds to each model call, beside the bare OpenAI client in
// the same run. Both clients call the same local fake provider (@agentbill/fake-openai); the
// wrapped one also preflights and records against a real AgentBill server (@agentbill/server,
// in this process, in-memory SQLite). Calls alternate bare/gated in rounds; medians reported.
// Bounded: ROUNDS × CALLS calls per variant, loopback only. Not a pass/fail test.
import { existsSync } from 'node:fs'
import os from 'node:os'
import { startFakeOpenAI } from '@agentbill/fake-openai'
import { startTestServer } from '@agentbill/server/testing'
import { AgentBill } from 'agentbill'
import OpenAI from 'openai'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const CALLS = Number(process.env.BENCH_CALLS ?? 100)
const WARMUP = 50

if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  throw new Error('dist/index.js is missing: build the package first (pnpm build)')
}
const { withAgentBill } = await import('../dist/index.js')

const [fake, server] = await Promise.all([startFakeOpenAI(), startTestServer()])
const bill = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url })
const customerId = 'bench-customer'
// A budget that never runs out, but is finite, so every streamed chunk is checked against it.
await bill.admin.customers.update(customerId, { limitUnits: 100_000_000 })

const bare = new OpenAI({ apiKey: 'sk-bench', baseURL: fake.baseURL, maxRetries: 0 })
const gated = withAgentBill(bare, { client: bill, agentId: 'bench-agent', customerId })
const messages = [
  { role: 'system', content: 'You are a helpful assistant that answers briefly.' },
  { role: 'user', content: 'Summarise the plot of a short story about a lighthouse keeper.' },
]
const streamedText = Array.from({ length: 40 }, (_, index) => `word${index}`).join(' ')

const variants = {
  'chat.completions.create': async (client) => {
    fake.enqueue({ kind: 'text', text: 'A keeper tends the light.' })
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages })
  },
  'chat.completions.create (stream, 41 chunks)': async (client) => {
    fake.enqueue({ kind: 'text', text: streamedText })
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    })
    for await (const _chunk of stream) {
      // read every chunk
    }
  },
  'responses.create': async (client) => {
    fake.enqueue({ kind: 'text', text: 'A keeper tends the light.' })
    await client.responses.create({ model: 'gpt-4o-mini', input: messages[1].content })
  },
}

// The AgentBill round trips alone (beginCall + record), for reading the overhead.
const roundTrips = async () => {
  const call = await bill.beginCall({
    defaults: { agentId: 'bench-agent', customerId },
    estimatedUnits: 5,
  })
  await call.record(1)
}

async function time(fn) {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

for (let index = 0; index < WARMUP; index++) {
  for (const run of Object.values(variants)) {
    await run(bare)
    await run(gated)
  }
  await roundTrips()
}

const samples = Object.fromEntries(
  Object.keys(variants).map((name) => [name, { bare: [], gated: [] }]),
)
const roundTripSamples = []
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(variants)) {
    for (let index = 0; index < CALLS; index++) {
      samples[name].bare.push(await time(() => run(bare)))
      samples[name].gated.push(await time(() => run(gated)))
    }
  }
  for (let index = 0; index < CALLS; index++) roundTripSamples.push(await time(roundTrips))
}

const fixed = (value) => value.toFixed(2)
console.log(
  `@agentbill/openai benchmark — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
)
console.log(
  `${ROUNDS} rounds × ${CALLS} calls per variant, bare and gated alternating; fake provider and AgentBill server in this process over loopback\n`,
)
console.log('| call | bare median | gated median | added per call | ratio |')
console.log('| --- | --- | --- | --- | --- |')
for (const [name, { bare: bareTimes, gated: gatedTimes }] of Object.entries(samples)) {
  const bareMedian = median(bareTimes)
  const gatedMedian = median(gatedTimes)
  console.log(
    `| ${name} | ${fixed(bareMedian)} ms | ${fixed(gatedMedian)} ms | ${fixed(gatedMedian - bareMedian)} ms | ${(gatedMedian / bareMedian).toFixed(2)}× |`,
  )
}
console.log(
  `\nAgentBill round trips alone (beginCall + record, no model call): median ${fixed(median(roundTripSamples))} ms`,
)

await bill.flush({ timeoutMs: 5000 })
await Promise.all([fake.close(), server.close()])
