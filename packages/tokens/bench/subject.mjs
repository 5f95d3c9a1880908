// One measurement in a fresh process: node subject.mjs <subject>. Prints one JSON line.
// Run by run.mjs; each subject gets its own process so import and first-count times are cold.
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

const subject = process.argv[2]
const fixtures = ['english.txt', 'code.txt', 'cjk.txt', 'emoji.txt'].map((name) =>
  readFileSync(new URL(`../src/__fixtures__/${name}`, import.meta.url), 'utf8'),
)
const first = fixtures[0]
// Steady-state input: 8 distinct ~64 KB texts of words drawn (seeded) from the fixtures, so the
// tokenizers' piece caches see realistic word reuse, not one text counted again and again.
const words = fixtures.join('\n').split(/(?<=\s)/)
let seed = 12345
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
  return seed / 4294967296
}
const texts = Array.from({ length: 8 }, () => {
  let text = ''
  while (text.length < 64_000) text += words[Math.floor(random() * words.length)]
  return text
})
const STEADY_MS = 1500

function gc() {
  globalThis.gc?.()
  globalThis.gc?.()
}

gc()
const baseline = process.memoryUsage()
let count
const importStart = performance.now()
if (subject === 'agentbill') {
  const tokens = await import('../dist/index.js')
  count = (input) => tokens.countTokens('gpt-4o', input)
} else if (subject === 'gpt-tokenizer') {
  const tokenizer = await import('gpt-tokenizer/encoding/o200k_base')
  const options = { disallowedSpecial: new Set() }
  count = async (input) => tokenizer.countTokens(input, options)
} else if (subject === 'js-tiktoken') {
  const tiktoken = await import('js-tiktoken')
  let encoding
  count = async (input) => {
    encoding ??= tiktoken.getEncoding('o200k_base')
    return encoding.encode(input, [], []).length
  }
} else {
  throw new Error(`unknown subject ${subject}`)
}
const importMs = performance.now() - importStart

const firstStart = performance.now()
await count(first)
const firstCountMs = performance.now() - firstStart

gc()
const loaded = process.memoryUsage()

// Steady state: cycle through the texts for a bounded time.
let tokensPerPass = 0
for (const text of texts) tokensPerPass += await count(text)
let tokensCounted = 0
let pass = 0
const steadyStart = performance.now()
while (performance.now() - steadyStart < STEADY_MS) {
  tokensCounted += await count(texts[pass % texts.length])
  pass++
}
const steadyMs = performance.now() - steadyStart

process.stdout.write(
  `${JSON.stringify({
    subject,
    importMs,
    firstCountMs,
    tokensPerSecond: tokensCounted / (steadyMs / 1000),
    tokensPerPass,
    rssMb: (loaded.rss - baseline.rss) / 2 ** 20,
    heapMb: (loaded.heapUsed - baseline.heapUsed) / 2 ** 20,
  })}\n`,
)
