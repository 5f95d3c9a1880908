import { StringOutputParser } from '@langchain/core/output_parsers'
import { ChatPromptTemplate } from '@langchain/core/prompts'
import { RunnableLambda } from '@langchain/core/runnables'
import { BudgetExceededError } from 'agentbill'
import { createAgent, tool } from 'langchain'
import { describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { AgentBillCallbackHandler } from '../src/agent-bill-callback-handler'
import { agentBillMetadata } from '../src/agent-bill-metadata'
import { useBilling } from './billing-fixture'

// How model calls are grouped into runs: a whole invoke of a chain or agent is one run (the root
// LangChain run), unless the caller names one. Everything here runs against the real AgentBill
// server and ChatOpenAI on the local OpenAI-compatible fake (whose default answers call the
// first offered tool, then answer from its result).
const billing = useBilling()

function twoStepChain(model = billing.chatOpenAI()) {
  return ChatPromptTemplate.fromTemplate('Summarise {topic} in one line.')
    .pipe(model)
    .pipe(new StringOutputParser())
    .pipe(RunnableLambda.from((summary: string) => `Critique this summary: ${summary}`))
    .pipe(model)
    .pipe(new StringOutputParser())
}

function searchAgent(model = billing.chatOpenAI()) {
  const search = tool(async ({ query }) => `Three results about ${query}.`, {
    name: 'search',
    description: 'Search the web',
    schema: z.object({ query: z.string() }),
  })
  return createAgent({ model, tools: [search] })
}

const question = (content: string) => ({ messages: [{ role: 'user', content }] })

describe('one invoke is one run', () => {
  it("every model call of an LCEL chain carries the root run's id", async () => {
    billing.fake.script()
    const customerId = billing.newCustomer()
    const handler = new AgentBillCallbackHandler({ client: billing.bill, agentId: 'writer' })
    const runId = crypto.randomUUID()

    const critique = await twoStepChain().invoke(
      { topic: 'tide pools' },
      { callbacks: [handler], runId, metadata: agentBillMetadata({ customerId }) },
    )

    expect(critique).toContain('local model answering')
    const { events, balance } = await billing.ledger(customerId)
    expect(events.map((event) => event.runId)).toEqual([runId, runId])
    expect(events.map((event) => event.agentId)).toEqual(['writer', 'writer'])
    expect(balance.reservedUnits).toBe(0)
    expect(handler.openRuns).toBe(0)
  })

  it('an agent invoked or streamed, or a chain batched, makes one run per input', async () => {
    billing.fake.script()
    const customerId = billing.newCustomer()
    const handler = new AgentBillCallbackHandler({
      client: billing.bill,
      agentId: 'researcher',
      customerId,
    })
    const agent = searchAgent()

    await agent.invoke(question('tide pools'), { callbacks: [handler] })
    for await (const _state of await agent.stream(question('kelp'), {
      callbacks: [handler],
      streamMode: 'values',
    })) {
      // read the whole stream
    }
    await twoStepChain().batch([{ topic: 'otters' }, { topic: 'urchins' }], {
      callbacks: [handler],
    })

    const { events } = await billing.ledger(customerId)
    const callsPerRun = new Map<string | null, number>()
    for (const event of events)
      callsPerRun.set(event.runId, (callsPerRun.get(event.runId) ?? 0) + 1)
    // Four inputs, each of two model calls: four runs of two.
    expect([...callsPerRun.values()]).toEqual([2, 2, 2, 2])
    expect(handler.openRuns).toBe(0)
  })

  it('a model batched on its own makes one run per prompt', async () => {
    billing.fake.script()
    const customerId = billing.newCustomer()
    const handler = new AgentBillCallbackHandler({ client: billing.bill, agentId: 'a', customerId })
    await billing.chatOpenAI().batch(['one', 'two', 'three'], { callbacks: [handler] })
    const { events } = await billing.ledger(customerId)
    expect(new Set(events.map((event) => event.runId)).size).toBe(3)
    expect(handler.openRuns).toBe(0)
  })

  it('callbacks given to a chain with withConfig gate it the same way', async () => {
    billing.fake.script()
    const customerId = billing.newCustomer()
    const handler = new AgentBillCallbackHandler({ client: billing.bill, agentId: 'a', customerId })
    const runId = crypto.randomUUID()
    await twoStepChain()
      .withConfig({ callbacks: [handler] })
      .invoke({ topic: 'reefs' }, { runId })
    const { events } = await billing.ledger(customerId)
    expect(events.map((event) => event.runId)).toEqual([runId, runId])
  })

  it("callbacks given to a model's constructor gate every call of that model", async () => {
    billing.fake.script()
    const customerId = billing.newCustomer()
    const blockedCustomerId = billing.newCustomer()
    await billing.bill.admin.customers.update(blockedCustomerId, { limitUnits: 0 })
    const handler = new AgentBillCallbackHandler({ client: billing.bill, agentId: 'a', customerId })
    const model = billing.chatOpenAI({ callbacks: [handler] })

    await model.invoke('hello')
    const before = billing.fake.modelCalls
    const error = await model
      .invoke('hello', { metadata: agentBillMetadata({ customerId: blockedCustomerId }) })
      .catch((caught: unknown) => caught)

    expect(BudgetExceededError.isInstance(error)).toBe(true)
    expect(billing.fake.modelCalls).toBe(before)
    expect((await billing.ledger(customerId)).events).toHaveLength(1)
    expect((await billing.ledger(blockedCustomerId)).events).toHaveLength(0)
    expect(handler.openRuns).toBe(0)
  })

  it('a handler given both to the model and at run time gates each call once', async () => {
    billing.fake.script()
    const customerId = billing.newCustomer()
    const handler = new AgentBillCallbackHandler({ client: billing.bill, agentId: 'a', customerId })
    const model = billing.chatOpenAI({ callbacks: [handler] })

    await model.invoke('hello', { callbacks: [handler] })
    for await (const _chunk of await model.stream('hello', { callbacks: [handler] })) {
      // read the whole stream
    }

    const { events, decisions, balance } = await billing.ledger(customerId)
    expect(decisions).toHaveLength(2)
    expect(events).toHaveLength(2)
    expect(balance.reservedUnits).toBe(0)
    expect(handler.openRuns).toBe(0)
  })

  it("a model's own handler sees no enclosing run: metadata names one for the whole invoke", async () => {
    billing.fake.script()
    const customerId = billing.newCustomer()
    const handler = new AgentBillCallbackHandler({ client: billing.bill, agentId: 'a', customerId })
    const agent = searchAgent(billing.chatOpenAI({ callbacks: [handler] }))

    // Without run-time callbacks LangGraph runs its nodes without a callback manager, so each
    // model call reaches the handler as a root of its own.
    await agent.invoke(question('alone'))
    await agent.invoke(question('together'), {
      metadata: agentBillMetadata({ runId: 'conversation-7' }),
    })

    const { events } = await billing.ledger(customerId)
    expect(events).toHaveLength(4)
    const [first, second, third, fourth] = events.map((event) => event.runId)
    expect(first).not.toBe(second)
    expect([third, fourth]).toEqual(['conversation-7', 'conversation-7'])
  })
})

describe('runs named by the caller', () => {
  it('metadata.agentbill_run_id joins invocations into one run under one ceiling', async () => {
    const customerId = billing.newCustomer()
    const usage = { inputTokens: 1500, outputTokens: 400 } // 2 units
    billing.fake.script(
      ...Array.from({ length: 4 }, () => ({ kind: 'text' as const, text: 'ok', usage })),
    )
    const handler = new AgentBillCallbackHandler({ client: billing.bill, agentId: 'a', customerId })
    // maxTokens 200: each call holds 1 unit; the ceiling from metadata is 5.
    const model = billing.chatOpenAI({ maxTokens: 200 })
    const config = {
      callbacks: [handler],
      metadata: agentBillMetadata({ runId: 'conversation-42', ceiling: 5 }),
    }

    await model.invoke('first', config) // 0 + 1 ≤ 5 → uses 2
    await model.invoke('second', config) // 2 + 1 ≤ 5 → uses 2
    await model.invoke('third', config) // 4 + 1 ≤ 5 → uses 2
    const before = billing.fake.modelCalls
    const error = await model.invoke('fourth', config).catch((caught: unknown) => caught) // 6 + 1 > 5

    expect(error).toMatchObject({ reason: 'ceiling_exceeded', runId: 'conversation-42' })
    expect(billing.fake.modelCalls).toBe(before)
    const { events } = await billing.ledger(customerId)
    expect(events.map((event) => [event.runId, event.units])).toEqual([
      ['conversation-42', 2],
      ['conversation-42', 2],
      ['conversation-42', 2],
    ])
  })

  it("inside bill.run(...) the scope's run, customer and ceiling win over the handler's", async () => {
    billing.fake.script()
    const customerId = billing.newCustomer()
    const handler = new AgentBillCallbackHandler({
      client: billing.bill,
      agentId: 'handler-agent',
      customerId: 'handler-customer',
    })
    const scopeRunId = await billing.bill.run(
      { agentId: 'scope-agent', customerId, ceiling: 100 },
      async (run) => {
        await twoStepChain().invoke({ topic: 'dunes' }, { callbacks: [handler] })
        return run.runId
      },
    )
    const { events } = await billing.ledger(customerId)
    expect(events.map((event) => [event.runId, event.agentId])).toEqual([
      [scopeRunId, 'scope-agent'],
      [scopeRunId, 'scope-agent'],
    ])
  })
})

describe('one handler, many customers', () => {
  it('concurrent invocations keep their customers and runs apart', async () => {
    billing.fake.script()
    const handler = new AgentBillCallbackHandler({ client: billing.bill, agentId: 'support' })
    const agent = searchAgent()
    const customers = Array.from({ length: 8 }, () => billing.newCustomer())

    await Promise.all(
      customers.map((customerId) =>
        agent.invoke(question(`order status for ${customerId}`), {
          callbacks: [handler],
          metadata: agentBillMetadata({ customerId }),
        }),
      ),
    )

    const runIds = new Set<string | null>()
    for (const customerId of customers) {
      const { events, balance } = await billing.ledger(customerId)
      expect(events).toHaveLength(2)
      expect(new Set(events.map((event) => event.runId)).size).toBe(1)
      runIds.add(events[0]?.runId ?? null)
      expect(balance.reservedUnits).toBe(0)
    }
    expect(runIds.size).toBe(customers.length)
    expect(handler.openRuns).toBe(0)
  })
})

describe('nothing is left behind', () => {
  it('failed and blocked invocations leave no run open', async () => {
    const customerId = billing.newCustomer()
    await billing.bill.admin.customers.update(customerId, { limitUnits: 0 })
    const handler = new AgentBillCallbackHandler({ client: billing.bill, agentId: 'a' })
    billing.fake.script({ kind: 'error', status: 400 })
    await expect(
      searchAgent().invoke(question('fails'), { callbacks: [handler] }),
    ).rejects.toThrow()
    await expect(
      searchAgent().invoke(question('blocked'), {
        callbacks: [handler],
        metadata: agentBillMetadata({ customerId }),
      }),
    ).rejects.toThrow(BudgetExceededError)
    expect(handler.openRuns).toBe(0)
  })

  it('a stream its reader left is forgotten after a day', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const customerId = billing.newCustomer()
      const handler = new AgentBillCallbackHandler({
        client: billing.bill,
        agentId: 'a',
        customerId,
      })
      billing.fake.script({ kind: 'text', text: 'one two three four five six', chunkDelayMs: 5 })
      for await (const _chunk of await billing
        .chatOpenAI()
        .stream('hi', { callbacks: [handler] })) {
        break // LangChain ends neither the model run nor its hold when the reader stops
      }
      expect(handler.openRuns).toBeGreaterThan(0)

      vi.setSystemTime(Date.now() + 25 * 60 * 60 * 1000)
      billing.fake.script()
      await billing.chatOpenAI().invoke('next', { callbacks: [handler] })
      expect(handler.openRuns).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })
})
