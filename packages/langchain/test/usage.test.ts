import { countTokens, estimateCall, tokensPolicy } from '@agentbill/tokens'
import { InMemoryCache } from '@langchain/core/caches'
import { AIMessage, AIMessageChunk, HumanMessage } from '@langchain/core/messages'
import { ChatGenerationChunk } from '@langchain/core/outputs'
import { fakeModel } from '@langchain/core/testing'
import { AgentBillValidationError, AllowanceExceededError, BudgetExceededError } from 'agentbill'
import { describe, expect, it, vi } from 'vitest'
import { EchoLLM, LlmOutputChatModel } from '../src/__fixtures__/fixture-models'
import { AgentBillCallbackHandler } from '../src/agent-bill-callback-handler'
import { agentBillMetadata } from '../src/agent-bill-metadata'
import { useBilling } from './billing-fixture'

// What each model call is billed, against the real AgentBill server: the provider's usage when
// it reports one, a count of the prompt and output when it does not, never LangChain's guess.
const billing = useBilling()

function handlerFor(customerId: string, options: { perToken?: boolean } = {}) {
  return new AgentBillCallbackHandler({
    client: billing.bill,
    agentId: 'a',
    customerId,
    // One unit per token makes the recorded units show every token counted.
    ...(options.perToken === true
      ? { units: tokensPolicy({ tokensPerUnit: 1 }), defaultOutputTokens: 200 }
      : {}),
  })
}

describe('usage', () => {
  it('bills usage_metadata as reported, cache reads and reasoning included', async () => {
    const customerId = billing.newCustomer()
    const model = fakeModel().respond(
      new AIMessage({
        content: 'Done.',
        usage_metadata: {
          input_tokens: 2000,
          output_tokens: 900,
          total_tokens: 2900,
          input_token_details: { cache_read: 1500 },
          output_token_details: { reasoning: 600 },
        },
      }),
    )
    await model.invoke('Think hard.', { callbacks: [handlerFor(customerId)] })
    const [event] = (await billing.ledger(customerId)).events
    expect(event?.units).toBe(3) // ceil(2,900 / 1,000)
    expect(event?.metadata).toEqual({
      model: 'FakeBuiltModel',
      inputTokens: 2000,
      outputTokens: 900,
      cachedInputTokens: 1500,
      reasoningTokens: 600,
      usageSource: 'provider',
    })
  })

  it('falls back to llmOutput.tokenUsage when the message carries no usage_metadata', async () => {
    const customerId = billing.newCustomer()
    const model = new LlmOutputChatModel('Done.', {
      tokenUsage: { promptTokens: 3000, completionTokens: 1200, totalTokens: 4200 },
    })
    await model.invoke('Go.', { callbacks: [handlerFor(customerId)] })
    const [event] = (await billing.ledger(customerId)).events
    expect(event?.units).toBe(5)
    expect(event?.metadata).toMatchObject({
      inputTokens: 3000,
      outputTokens: 1200,
      usageSource: 'provider',
    })
  })

  it('bills a model that reports no usage from a count of its prompt and output', async () => {
    const customerId = billing.newCustomer()
    const prompt = 'Describe the water cycle for a ten-year-old, in two sentences.'
    const answer =
      'Water warms up, rises into the sky as vapour and forms clouds. When the clouds get heavy, the water falls back as rain and the cycle starts again.'
    const model = fakeModel().respond(new AIMessage(answer))

    await model.invoke(prompt, { callbacks: [handlerFor(customerId, { perToken: true })] })

    const expectedInput = (
      await estimateCall({ model: 'FakeBuiltModel', messages: [{ role: 'user', content: prompt }] })
    ).promptTokens
    const expectedOutput = await countTokens('FakeBuiltModel', answer)
    const [event] = (await billing.ledger(customerId)).events
    expect(event?.metadata).toMatchObject({
      inputTokens: expectedInput,
      outputTokens: expectedOutput,
      usageSource: 'counted',
    })
    expect(expectedOutput).toBeGreaterThan(20)
    expect(event?.units).toBe(expectedInput + expectedOutput)
  })

  it('never bills llmOutput.estimatedTokenUsage (LangChain’s own guess)', async () => {
    const customerId = billing.newCustomer()
    const model = new LlmOutputChatModel('Short answer.', {
      estimatedTokenUsage: { promptTokens: 50_000, completionTokens: 50_000, totalTokens: 100_000 },
    })
    await model.invoke('Hi', { callbacks: [handlerFor(customerId, { perToken: true })] })
    const [event] = (await billing.ledger(customerId)).events
    expect(event?.metadata).toMatchObject({ usageSource: 'counted' })
    expect(event?.units).toBeLessThan(100)
  })

  it('gates text-completion LLMs the same way (handleLLMStart)', async () => {
    const customerId = billing.newCustomer()
    const blocked = billing.newCustomer()
    await billing.bill.admin.customers.update(blocked, { limitUnits: 0 })
    const llm = new EchoLLM()
    const handler = handlerFor(customerId, { perToken: true })

    expect(await llm.invoke('hello there', { callbacks: [handler] })).toBe('You said: hello there')
    const error = await llm
      .invoke('hello again', {
        callbacks: [handler],
        metadata: agentBillMetadata({ customerId: blocked }),
      })
      .catch((caught: unknown) => caught)

    expect(BudgetExceededError.isInstance(error)).toBe(true)
    expect(llm.calls).toBe(1)
    const [event] = (await billing.ledger(customerId)).events
    expect(event?.metadata).toMatchObject({
      model: 'EchoLLM',
      outputTokens: await countTokens('EchoLLM', 'You said: hello there'),
      usageSource: 'counted',
    })
    expect(handler.openRuns).toBe(0)
  })
})

describe('estimates', () => {
  it("holds the request's max_tokens as the output allowance, else the default", async () => {
    billing.fake.script()
    const customerId = billing.newCustomer()
    const handler = handlerFor(customerId)
    await billing.chatOpenAI({ maxTokens: 100 }).invoke('hi', { callbacks: [handler] })
    await billing.chatOpenAI().invoke('hi', { callbacks: [handler] })
    await billing.chatOpenAI().invoke('hi', {
      callbacks: [
        new AgentBillCallbackHandler({
          client: billing.bill,
          agentId: 'a',
          customerId,
          defaultOutputTokens: 1500,
        }),
      ],
    })
    const { decisions } = await billing.ledger(customerId)
    // ceil((prompt + 100) / 1,000), ceil((prompt + 4,096) / 1,000), ceil((prompt + 1,500) / 1,000)
    expect(decisions.map((decision) => decision.estimatedUnits)).toEqual([1, 5, 2])
  })
})

describe('calls that end unusually', () => {
  it('a cached answer never reaches the provider and is not billed', async () => {
    billing.fake.script()
    const customerId = billing.newCustomer()
    const handler = handlerFor(customerId)
    const model = billing.chatOpenAI({ cache: new InMemoryCache() })
    const before = billing.fake.modelCalls
    const first = await model.invoke('What is a tide pool?', { callbacks: [handler] })
    const second = await model.invoke('What is a tide pool?', { callbacks: [handler] })
    expect(second.text).toBe(first.text)
    expect(billing.fake.modelCalls).toBe(before + 1)
    const { events, decisions, balance } = await billing.ledger(customerId)
    expect(events).toHaveLength(1)
    expect(decisions).toHaveLength(2)
    expect(balance.reservedUnits).toBe(0)
    expect(handler.openRuns).toBe(0)
  })

  it('a stream stopped midway bills the tokens it had streamed', async () => {
    const customerId = billing.newCustomer()
    const handler = handlerFor(customerId, { perToken: true })
    const text = Array.from({ length: 40 }, (_, index) => `word${index}`).join(' ')
    billing.fake.script({ kind: 'text', text, chunkDelayMs: 5 })
    const controller = new AbortController()
    let received = ''
    const error = await (async () => {
      const stream = await billing.chatOpenAI().stream('Count.', {
        callbacks: [handler],
        signal: controller.signal,
      })
      for await (const chunk of stream) {
        received += chunk.text
        if (received.length > 20) controller.abort()
      }
    })().catch((caught: unknown) => caught)

    expect(error).toMatchObject({ name: 'AbortError' })
    // LangChain sends no event for an aborted stream: the handler hears the signal and bills in
    // the background.
    const { events, balance } = await vi.waitFor(
      async () => {
        const ledger = await billing.ledger(customerId)
        expect(ledger.events).toHaveLength(1)
        return ledger
      },
      { timeout: 5000 },
    )
    const metadata = events[0]?.metadata as { outputTokens: number; usageSource: string }
    expect(metadata).toMatchObject({ usageSource: 'counted', stoppedBy: 'AbortError' })
    expect(metadata.outputTokens).toBeGreaterThan(0)
    expect(metadata.outputTokens).toBeLessThan(await countTokens('gpt-4o-mini', text))
    expect(balance.reservedUnits).toBe(0)
    expect(handler.openRuns).toBe(0)
  })

  it("a stream is stopped where it would pass the customer's budget, and billed to there", async () => {
    const customerId = billing.newCustomer()
    await billing.bill.admin.customers.update(customerId, { limitUnits: 8 })
    // Ten tokens a unit: the call holds ceil((prompt ≈ 13 + maxTokens 30) / 10) = 5 units, so it
    // may use 5 + the 3 the customer has left = 8 units, about 65 output tokens.
    const handler = new AgentBillCallbackHandler({
      client: billing.bill,
      agentId: 'a',
      customerId,
      units: tokensPolicy({ tokensPerUnit: 10 }),
    })
    const text = Array.from({ length: 300 }, (_, index) => `word${index}`).join(' ')
    // A slow stream, so the provider is still sending when the handler stops it.
    billing.fake.script({ kind: 'text', text, chunkDelayMs: 5 })
    const abandonedBefore = billing.fake.abandonedStreams
    let received = ''
    const error = await (async () => {
      for await (const chunk of await billing
        .chatOpenAI({ maxTokens: 30 })
        .stream('Tell me a long story.', { callbacks: [handler] })) {
        received += chunk.text
      }
    })().catch((caught: unknown) => caught)

    expect(AllowanceExceededError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ reason: 'budget_exhausted', customerId })
    expect(received.length).toBeGreaterThan(0)
    expect(received.length).toBeLessThan(text.length / 4)
    await vi.waitFor(() => expect(billing.fake.abandonedStreams).toBe(abandonedBefore + 1), {
      timeout: 5000,
    })
    const { events, decisions, balance } = await billing.ledger(customerId)
    expect(decisions.map((decision) => decision.estimatedUnits)).toEqual([5])
    expect(events).toHaveLength(1)
    expect(events[0]?.metadata).toMatchObject({
      usageSource: 'counted',
      stoppedBy: 'AllowanceExceededError',
    })
    // Stopped at the first chunk past 8 units.
    expect(events[0]?.units).toBeGreaterThan(8)
    expect(events[0]?.units).toBeLessThanOrEqual(10)
    expect(balance).toMatchObject({ usedUnits: events[0]?.units, reservedUnits: 0 })
    expect(handler.openRuns).toBe(0)
  })

  it("a stream is stopped where it would pass the run's ceiling, and billed to there", async () => {
    const customerId = billing.newCustomer()
    // The customer has plenty (1,000 free units); the run's ceiling is what stops the stream: the
    // call holds 5 units and the run may use 8 in all, about 65 output tokens at ten tokens a unit.
    const handler = new AgentBillCallbackHandler({
      client: billing.bill,
      agentId: 'a',
      customerId,
      ceiling: 8,
      units: tokensPolicy({ tokensPerUnit: 10 }),
    })
    const text = Array.from({ length: 300 }, (_, index) => `word${index}`).join(' ')
    billing.fake.script({ kind: 'text', text, chunkDelayMs: 5 })
    let received = ''
    const error = await (async () => {
      for await (const chunk of await billing
        .chatOpenAI({ maxTokens: 30 })
        .stream('Tell me a long story.', { callbacks: [handler] })) {
        received += chunk.text
      }
    })().catch((caught: unknown) => caught)

    expect(AllowanceExceededError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ reason: 'ceiling_exceeded', customerId })
    expect(received.length).toBeGreaterThan(0)
    expect(received.length).toBeLessThan(text.length / 4)
    const { events, decisions, balance } = await billing.ledger(customerId)
    expect(decisions.map((decision) => decision.estimatedUnits)).toEqual([5])
    expect(events).toHaveLength(1)
    expect(events[0]?.metadata).toMatchObject({
      usageSource: 'counted',
      stoppedBy: 'AllowanceExceededError',
    })
    // Stopped at the first chunk past the 8-unit ceiling.
    expect(events[0]?.units).toBeGreaterThan(8)
    expect(events[0]?.units).toBeLessThanOrEqual(10)
    expect(balance).toMatchObject({ usedUnits: events[0]?.units, reservedUnits: 0 })
    expect(handler.openRuns).toBe(0)
  })

  it('a stream that fails after streaming a tool call bills the call it streamed', async () => {
    // Driven through the handler's callbacks directly, as LangChain's callback manager calls them:
    // no provider fails on demand between two tool-call chunks.
    const customerId = billing.newCustomer()
    const handler = handlerFor(customerId, { perToken: true })
    const runId = crypto.randomUUID()
    const llm = { lc: 1 as const, type: 'not_implemented' as const, id: ['ChatOpenAI'] }
    await handler.handleChatModelStart(
      llm,
      [[new HumanMessage('Find otters.')]],
      runId,
      undefined,
      { invocation_params: { model: 'gpt-4o-mini' } },
    )
    const toolCall = new ChatGenerationChunk({
      text: '',
      message: new AIMessageChunk({
        content: '',
        tool_call_chunks: [{ name: 'search', args: '{"query":"otters"}', index: 0, id: 'c1' }],
      }),
    })
    await handler.handleLLMNewToken('', { prompt: 0, completion: 0 }, runId, undefined, [], {
      chunk: toolCall,
    })
    await handler.handleLLMError(new Error('connection reset'), runId)

    const [event] = (await billing.ledger(customerId)).events
    expect(event?.metadata).toMatchObject({
      model: 'gpt-4o-mini',
      outputTokens: await countTokens('gpt-4o-mini', 'search{"query":"otters"}'),
      usageSource: 'counted',
      stoppedBy: 'Error',
    })
    expect(handler.openRuns).toBe(0)
  })

  it('a handler registered twice for a call counts its streamed tokens once', async () => {
    const customerId = billing.newCustomer()
    const handler = handlerFor(customerId, { perToken: true })
    const runId = crypto.randomUUID()
    const llm = { lc: 1 as const, type: 'not_implemented' as const, id: ['ChatOpenAI'] }
    const start = () =>
      handler.handleChatModelStart(llm, [[new HumanMessage('Say hi.')]], runId, undefined, {
        invocation_params: { model: 'gpt-4o-mini' },
      })
    // LangChain calls every registration of a handler, concurrently, for each event.
    await Promise.all([start(), start()])
    for (const token of ['Hello', ' there', ', friend']) {
      await Promise.all([
        handler.handleLLMNewToken(token, { prompt: 0, completion: 0 }, runId),
        handler.handleLLMNewToken(token, { prompt: 0, completion: 0 }, runId),
      ])
    }
    await Promise.all([
      handler.handleLLMError(new Error('reset'), runId),
      handler.handleLLMError(new Error('reset'), runId),
    ])

    const { events, decisions } = await billing.ledger(customerId)
    expect(decisions).toHaveLength(1)
    expect(events.map((event) => event.metadata.outputTokens)).toEqual([
      await countTokens('gpt-4o-mini', 'Hello there, friend'),
    ])
    expect(handler.openRuns).toBe(0)
  })

  it('bad metadata is refused before the model is called, naming the field', async () => {
    const customerId = billing.newCustomer()
    const model = fakeModel().respond(new AIMessage('never'))
    const error = await model
      .invoke('hi', {
        callbacks: [handlerFor(customerId)],
        metadata: { agentbill_ceiling: 2.5 },
      })
      .catch((caught: unknown) => caught)
    expect(AgentBillValidationError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ param: 'metadata.agentbill_ceiling' })
    expect(model.callCount).toBe(0)
    expect((await billing.ledger(customerId)).decisions).toEqual([])
  })
})
