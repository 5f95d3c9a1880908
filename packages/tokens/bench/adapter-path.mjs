// The per-call costs an adapter pays, warm, in one process: node adapter-path.mjs. One JSON line.
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import * as raw from 'gpt-tokenizer/encoding/o200k_base'
import * as tokens from '../dist/index.js'

const english = readFileSync(new URL('../src/__fixtures__/english.txt', import.meta.url), 'utf8')
await tokens.preloadTokenizer('gpt-4o')
const options = { disallowedSpecial: new Set() }

function rateOnce(run, budgetMs) {
  let iterations = 0
  const start = performance.now()
  while (performance.now() - start < budgetMs) {
    run()
    iterations++
  }
  return iterations / ((performance.now() - start) / 1000)
}

// Two workloads measured in alternation (5 rounds), medians compared, so a noisy neighbour on
// the machine hits both alike.
function compare(ours, baseline, budgetMs = 300) {
  for (let warm = 0; warm < 20; warm++) {
    ours()
    baseline()
  }
  const oursRates = []
  const baselineRates = []
  for (let round = 0; round < 5; round++) {
    oursRates.push(rateOnce(ours, budgetMs))
    baselineRates.push(rateOnce(baseline, budgetMs))
  }
  const median = (values) => values.sort((a, b) => a - b)[2]
  return [median(oursRates), median(baselineRates)]
}

// A typical agent turn: system prompt, two user/assistant exchanges, one tool.
const request = {
  model: 'gpt-4o',
  messages: [
    { role: 'system', content: english.slice(0, 600) },
    { role: 'user', content: english.slice(600, 900) },
    { role: 'assistant', content: english.slice(900, 1100) },
    { role: 'user', content: 'And the summary, please.' },
  ],
  tools: [
    {
      type: 'function',
      function: {
        name: 'lookup',
        description: 'Look up a customer',
        parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      },
    },
  ],
  maxOutputTokens: 500,
}
// Baseline: the same texts through raw gpt-tokenizer, no overhead rules, no policy.
const [estimatePerSecond, rawPerSecond] = compare(
  () => tokens.estimateCallSync(request),
  () => {
    for (const message of request.messages) raw.countTokens(message.content, options)
  },
)

// Streaming: 2,000 deltas of ~5 characters, checking the ceiling on every chunk. Baseline: the
// naive approach of recounting all streamed text on every chunk.
const deltas = []
for (let index = 0; index < 10_000; index += 5)
  deltas.push(english.repeat(8).slice(index, index + 5))
function meterStream() {
  const meter = tokens.createOutputMeter({ model: 'gpt-4o', inputTokens: 100 })
  for (const delta of deltas) {
    meter.add(delta)
    if (meter.wouldExceed(1_000_000)) break
  }
}
function naiveStream() {
  let streamed = ''
  for (const delta of deltas) {
    streamed += delta
    if (100 + raw.countTokens(streamed, options) > 1_000_000) break
  }
}
const [meterStreamsPerSecond, naiveStreamsPerSecond] = compare(meterStream, naiveStream)

process.stdout.write(
  `${JSON.stringify({
    estimateCallSyncPerSecond: estimatePerSecond,
    rawCountPerSecond: rawPerSecond,
    meterMicrosecondsPerChunk: 1e6 / meterStreamsPerSecond / deltas.length,
    naiveMicrosecondsPerChunk: 1e6 / naiveStreamsPerSecond / deltas.length,
  })}\n`,
)
