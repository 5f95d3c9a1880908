import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { useBilling } from './billing-fixture'

// The README's guide runs as written: its ```ts part=guide blocks, joined, are exactly
// examples/add-billing-to-an-agent.ts (after the file's header comment), and that file runs
// against a real AgentBill server and the local OpenAI-compatible fake, configured the way a user
// configures the real ones: through environment variables.
const billing = useBilling()
const GUIDE_HEADING = '## How to add billing to a LangChain agent'

function guideBlocks(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const start = readme.indexOf(GUIDE_HEADING)
  expect(start).toBeGreaterThan(-1)
  const rest = readme.slice(start + GUIDE_HEADING.length)
  const end = rest.search(/^## /m)
  const guide = end === -1 ? rest : rest.slice(0, end)
  return [...guide.matchAll(/^```ts part=guide\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '')
}

const example = readFileSync(
  new URL('../examples/add-billing-to-an-agent.ts', import.meta.url),
  'utf8',
)

describe('the README guide', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
    vi.restoreAllMocks()
  })

  it('is the example program, block for block', () => {
    const blocks = guideBlocks()
    expect(blocks.length).toBeGreaterThanOrEqual(4)
    const program = example.replace(/^(\/\/.*\n)+\n/, '')
    expect(program).toBe(blocks.join('\n'))
  })

  it('runs: bills the customer who asked, and blocks the one without budget', async () => {
    vi.stubEnv('AGENTBILL_API_KEY', billing.server.adminKey)
    vi.stubEnv('AGENTBILL_BASE_URL', billing.server.url)
    vi.stubEnv('OPENAI_API_KEY', 'sk-fake')
    vi.stubEnv('OPENAI_BASE_URL', billing.fake.baseURL)
    billing.fake.script()
    const before = billing.fake.modelCalls
    const printed: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      printed.push(String(line))
    })
    vi.spyOn(console, 'error').mockImplementation(() => undefined)

    await import('../examples/add-billing-to-an-agent')

    // The fake's agent calls the search tool, then answers from its result.
    expect(printed).toEqual([
      'Here is what I found: Three articles about What changed in LangChain 1.0?.',
      'user_42 has used 2 of 1000 units',
      'You are out of credits: please top up',
    ])
    expect(billing.fake.modelCalls).toBe(before + 2)
    const asked = await billing.ledger('user_42')
    expect(asked.events.map((event) => event.agentId)).toEqual([
      'research-assistant',
      'research-assistant',
    ])
    expect(new Set(asked.events.map((event) => event.runId)).size).toBe(1)
    const blocked = await billing.ledger('user_7')
    expect(blocked.events).toEqual([])
    expect(blocked.decisions.map((decision) => decision.approved)).toEqual([false])
  })
})
