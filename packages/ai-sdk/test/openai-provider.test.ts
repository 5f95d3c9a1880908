import { type FakeOpenAI, startFakeOpenAI } from '@agentbill/fake-openai'
import { countTokens, tokensPolicy } from '@agentbill/tokens'
import { createOpenAI } from '@ai-sdk/openai'
import { stepCountIs, streamText, tool, wrapLanguageModel } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { AllowanceExceededError, agentBillMiddleware } from '../src/index'
import { useAgentBillServer } from './support/agent-bill-server'

// Through a real provider package over real HTTP: `@ai-sdk/openai` against the local
// OpenAI-compatible fake, so aborts and cut-offs close a real connection.
const fixture = useAgentBillServer()
const perToken = tokensPolicy({ tokensPerUnit: 1 })
let fake: FakeOpenAI
beforeAll(async () => {
  fake = await startFakeOpenAI()
})
afterAll(() => fake?.close())

const LONG_TEXT = Array.from({ length: 400 }, (_, index) => `word${index % 7}`).join(' ')

function gatedModel(options: { ceiling?: number } = {}) {
  const openai = createOpenAI({ apiKey: 'sk-fake', baseURL: fake.baseURL })
  return wrapLanguageModel({
    model: openai.chat('gpt-4o-mini'),
    middleware: agentBillMiddleware({
      client: fixture.bill,
      agentId: 'openai-agent',
      units: perToken,
      ...options,
    }),
  })
}

describe('@ai-sdk/openai on the fake provider', () => {
  it("a stream cut at the run's ceiling closes the provider's connection; the ledger is exact", async () => {
    const customerId = fixture.newCustomer()
    fake.script({ kind: 'text', text: LONG_TEXT, chunkDelayMs: 1 })
    const abandonedBefore = fake.abandonedStreams
    const errors: unknown[] = []
    const result = streamText({
      model: gatedModel({ ceiling: 150 }),
      prompt: 'Talk for a long time.',
      maxOutputTokens: 50,
      providerOptions: { agentbill: { customerId } },
      onError: ({ error }) => void errors.push(error),
    })
    const text = await result.text

    expect(errors).toHaveLength(1)
    const [error] = errors
    expect(AllowanceExceededError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ reason: 'ceiling_exceeded', allowanceUnits: 150 })
    expect(LONG_TEXT.startsWith(text)).toBe(true)
    const { events, balance } = await fixture.ledger(customerId)
    expect(events).toHaveLength(1)
    const [event] = events
    const metadata = event?.metadata as { inputTokens: number; outputTokens: number }
    // The units are exactly the prompt plus what the reader received, and stay within the ceiling.
    expect(metadata.outputTokens).toBe(await countTokens('gpt-4o-mini', text))
    expect(event?.units).toBe(metadata.inputTokens + metadata.outputTokens)
    expect(event?.units).toBe((error as AllowanceExceededError).usedUnits)
    expect(event?.units).toBeLessThanOrEqual(150)
    expect(event?.units).toBeGreaterThan(140)
    expect(balance).toMatchObject({ usedUnits: event?.units, reservedUnits: 0 })
    await expect.poll(() => fake.abandonedStreams).toBe(abandonedBefore + 1)
  })

  it('an aborted stream is billed for what streamed, and its hold is settled', async () => {
    const customerId = fixture.newCustomer()
    fake.script({ kind: 'text', text: LONG_TEXT, chunkDelayMs: 2 })
    const controller = new AbortController()
    const result = streamText({
      model: gatedModel(),
      prompt: 'Talk for a long time.',
      maxOutputTokens: 600,
      abortSignal: controller.signal,
      providerOptions: { agentbill: { customerId } },
      onError: () => undefined,
    })
    let seen = ''
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') seen += part.text
      if (seen.length > 100 && !controller.signal.aborted) controller.abort()
    }
    expect(seen.length).toBeLessThan(LONG_TEXT.length)
    const { events, balance } = await fixture.ledger(customerId)
    expect(events).toHaveLength(1)
    const metadata = events[0]?.metadata as { inputTokens: number; outputTokens: number }
    expect(events[0]?.metadata).toMatchObject({ stopped: 'aborted', measured: 'counted' })
    // What passed through the middleware: at least what the reader saw, never the whole answer.
    expect(metadata.outputTokens).toBeGreaterThanOrEqual(await countTokens('gpt-4o-mini', seen))
    expect(metadata.outputTokens).toBeLessThan(await countTokens('gpt-4o-mini', LONG_TEXT))
    expect(balance).toMatchObject({ usedUnits: events[0]?.units, reservedUnits: 0 })
  })

  it("a streamed tool loop with the provider's own tool-call ids is one run", async () => {
    const customerId = fixture.newCustomer()
    fake.script(
      { kind: 'tool-calls', calls: [{ name: 'lookup', arguments: { query: 'a' } }] },
      { kind: 'tool-calls', calls: [{ name: 'lookup', arguments: { query: 'b' } }] },
      { kind: 'text', text: 'Found nothing twice.' },
    )
    const result = streamText({
      model: gatedModel(),
      prompt: 'Look two things up.',
      maxOutputTokens: 100,
      tools: {
        lookup: tool({
          inputSchema: z.object({ query: z.string() }),
          execute: async ({ query }) => `nothing for ${query}`,
        }),
      },
      stopWhen: stepCountIs(5),
      providerOptions: { agentbill: { customerId } },
    })
    expect(await result.text).toBe('Found nothing twice.')
    const { events } = await fixture.ledger(customerId)
    expect(events).toHaveLength(3)
    expect(new Set(events.map((event) => event.runId)).size).toBe(1)
    expect(events[0]?.runId).toMatch(/^run_/)
  })
})
