// `pnpm bench`: @agentbill/tokens beside raw gpt-tokenizer and js-tiktoken, in one run.
// Each library is measured in fresh processes (cold import), ROUNDS times, interleaved; the
// median is reported. Bounded: about 3 s per process.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import os from 'node:os'

const ROUNDS = 5
const SUBJECTS = ['agentbill', 'gpt-tokenizer', 'js-tiktoken']

if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  throw new Error('dist/index.js is missing: build the package first (pnpm build)')
}

function run(script, ...args) {
  const output = execFileSync(
    process.execPath,
    ['--expose-gc', new URL(script, import.meta.url).pathname, ...args],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  )
  return JSON.parse(output.trim().split('\n').pop())
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const samples = Object.fromEntries(SUBJECTS.map((subject) => [subject, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const subject of SUBJECTS) samples[subject].push(run('./subject.mjs', subject))
}

const rows = SUBJECTS.map((subject) => {
  const list = samples[subject]
  const pick = (key) => median(list.map((sample) => sample[key]))
  return {
    subject,
    importMs: pick('importMs'),
    firstCountMs: pick('firstCountMs'),
    toFirstCountMs: median(list.map((sample) => sample.importMs + sample.firstCountMs)),
    tokensPerSecond: pick('tokensPerSecond'),
    rssMb: pick('rssMb'),
    heapMb: pick('heapMb'),
    tokensPerPass: list[0].tokensPerPass,
  }
})
const byName = Object.fromEntries(rows.map((row) => [row.subject, row]))
const path = run('./adapter-path.mjs')

const fixed = (value, digits = 1) => value.toFixed(digits)
console.log(
  `@agentbill/tokens benchmark — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
)
console.log(
  `median of ${ROUNDS} cold processes per library; steady state cycles through ${rows[0].tokensPerPass.toLocaleString('en')} tokens of mixed text (8 × 64 KB, o200k_base)\n`,
)
console.log(
  '| library | import | first count | import → first count | steady tokens/s | RSS after load | heap after load |',
)
console.log('|---|---:|---:|---:|---:|---:|---:|')
for (const row of rows) {
  console.log(
    `| ${row.subject} | ${fixed(row.importMs)} ms | ${fixed(row.firstCountMs)} ms | ${fixed(row.toFirstCountMs)} ms | ${(row.tokensPerSecond / 1e6).toFixed(2)} M | ${fixed(row.rssMb)} MB | ${fixed(row.heapMb)} MB |`,
  )
}
const ours = byName.agentbill
const gpt = byName['gpt-tokenizer']
const tik = byName['js-tiktoken']
console.log('\nRatios (ours ÷ baseline):')
console.log(
  `- steady tokens/s vs gpt-tokenizer: ${fixed(ours.tokensPerSecond / gpt.tokensPerSecond, 2)}×; vs js-tiktoken: ${fixed(ours.tokensPerSecond / tik.tokensPerSecond, 2)}×`,
)
console.log(
  `- import → first count vs gpt-tokenizer: ${fixed(ours.toFirstCountMs / gpt.toFirstCountMs, 2)}×; vs js-tiktoken: ${fixed(ours.toFirstCountMs / tik.toFirstCountMs, 2)}×`,
)
console.log(
  `- import alone vs gpt-tokenizer's encoding import: ${fixed(ours.importMs / gpt.importMs, 3)}×`,
)
console.log(
  `- RSS after load vs gpt-tokenizer: ${fixed(ours.rssMb / gpt.rssMb, 2)}×; vs js-tiktoken: ${fixed(ours.rssMb / tik.rssMb, 2)}×`,
)
console.log('\nAdapter path (warm, one process):')
console.log(
  `- estimateCallSync, 4-message chat + 1 tool: ${Math.round(path.estimateCallSyncPerSecond).toLocaleString('en')} calls/s; raw gpt-tokenizer on the same 4 texts: ${Math.round(path.rawCountPerSecond).toLocaleString('en')}/s (${fixed(path.estimateCallSyncPerSecond / path.rawCountPerSecond, 2)}×)`,
)
console.log(
  `- output meter add + wouldExceed: ${fixed(path.meterMicrosecondsPerChunk, 2)} µs/chunk; naive recount per chunk: ${fixed(path.naiveMicrosecondsPerChunk, 2)} µs/chunk (${fixed(path.naiveMicrosecondsPerChunk / path.meterMicrosecondsPerChunk, 0)}× slower) over a 2,000-chunk stream`,
)
