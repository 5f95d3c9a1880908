import { countTokens, estimateCall, tokensPolicy } from '@agentbill/tokens'
import type { LanguageModelV4GenerateResult } from '@ai-sdk/provider'
import { AgentBillValidationError, BudgetExceededError } from 'agentbill'
import { generateObject, generateText, tool, wrapLanguageModel } from 'ai'
import { MockLanguageModelV4 } from 'ai/test'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { agentBillMiddleware, budgetExceededResponse } from '../src/index'
import { useAgentBillServer } from './support/agent-bill-server'
import { providerError } from './support/scripted-provider'

const fixture = useAgentBillServer()
// One unit per token: the ledger shows token counts exactly.
const perToken = tokensPolicy({ tokensPerUnit: 1 })

function answered(
  text: string,
  usage?: { input: number; output: number },
): LanguageModelV4GenerateResult {
  return {
    content: [{ type: 'text', text }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: {
      inputTokens: {
        total: usage?.input,
        noCache: undefined,
        cacheRead: undefined,
        cacheWrite: undefined,
      },
      outputTokens: { total: usage?.output, text: undefined, reasoning: undefined },
    },
    warnings: [],
  }
}

describe('generateText through the middleware', () => {
  it('one wrapped model serves many customers, named per call', async () => {
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({
        doGenerate: async () => answered('Hi.', { input: 1500, output: 100 }),
      }),
      middleware: agentBillMiddleware({ client: fixture.bill, agentId: 'greeter' }),
    })
    const [alice, bob] = [fixture.newCustomer(), fixture.newCustomer()]
    for (const customerId of [alice, bob, bob]) {
      await generateText({ model, prompt: 'Hello', providerOptions: { agentbill: { customerId } } })
    }
    const [aliceLedger, bobLedger] = await Promise.all([fixture.ledger(alice), fixture.ledger(bob)])
    expect(aliceLedger.events.map((event) => [event.agentId, event.units])).toEqual([
      ['greeter', 2],
    ])
    expect(bobLedger.events.map((event) => event.units)).toEqual([2, 2])
    expect(bobLedger.balance).toMatchObject({ usedUnits: 4, reservedUnits: 0 })
  })

  it('the call names its context over the bill.run scope, and the scope over the options', async () => {
    const [optionsCustomer, scopeCustomer] = [fixture.newCustomer(), fixture.newCustomer()]
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({
        doGenerate: async () => answered('Ok.', { input: 10, output: 2 }),
      }),
      middleware: agentBillMiddleware({
        client: fixture.bill,
        agentId: 'options-agent',
        customerId: optionsCustomer,
      }),
    })
    await generateText({ model, prompt: 'outside any run' })
    const runId = await fixture.bill.run(
      { agentId: 'scope-agent', customerId: scopeCustomer, ceiling: 100 },
      async (run) => {
        await generateText({ model, prompt: 'in the run' })
        await generateText({
          model,
          prompt: 'in the run, naming its agent',
          providerOptions: { agentbill: { agentId: 'call-agent' } },
        })
        return run.runId
      },
    )
    const outside = await fixture.ledger(optionsCustomer)
    expect(outside.events.map((event) => event.agentId)).toEqual(['options-agent'])
    expect(outside.events[0]?.runId).toMatch(/^run_/)
    const inside = await fixture.ledger(scopeCustomer)
    expect(inside.events.map((event) => [event.agentId, event.runId])).toEqual([
      ['scope-agent', runId],
      ['call-agent', runId],
    ])
  })

  it('two calls naming one runId share its ceiling', async () => {
    const customerId = fixture.newCustomer()
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({
        doGenerate: async () => answered('Ok.', { input: 3000, output: 500 }),
      }),
      middleware: agentBillMiddleware({ client: fixture.bill, agentId: 'agent', ceiling: 5 }),
    })
    // Each call holds 2 units and uses 4: the second would bring the run to 4 + 2 > 5.
    const providerOptions = { agentbill: { customerId, runId: `conversation-${customerId}` } }
    await generateText({ model, prompt: 'first', maxOutputTokens: 1000, providerOptions })
    const error = await generateText({
      model,
      prompt: 'second',
      maxOutputTokens: 1000,
      providerOptions,
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(BudgetExceededError)
    expect(error).toMatchObject({ reason: 'ceiling_exceeded', runId: `conversation-${customerId}` })
    const { events } = await fixture.ledger(customerId)
    expect(events.map((event) => [event.units, event.runId])).toEqual([
      [4, `conversation-${customerId}`],
    ])
  })

  it('the SDK retrying a 429 makes one decision and bills once', async () => {
    const customerId = fixture.newCustomer()
    let calls = 0
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({
        doGenerate: async () => {
          if (++calls < 3) throw providerError(429)
          return answered('Third time.', { input: 1200, output: 300 })
        },
      }),
      middleware: agentBillMiddleware({ client: fixture.bill, agentId: 'agent' }),
    })
    const result = await generateText({
      model,
      prompt: 'Hi',
      providerOptions: { agentbill: { customerId } },
    })
    expect(result.text).toBe('Third time.')
    expect(calls).toBe(3)
    const { events, decisions, balance } = await fixture.ledger(customerId)
    expect(decisions).toHaveLength(1)
    expect(events.map((event) => event.units)).toEqual([2])
    expect(balance).toMatchObject({ usedUnits: 2, reservedUnits: 0 })
  })

  it('a provider that reports no usage is billed from a count of its output', async () => {
    const customerId = fixture.newCustomer()
    const text = 'A reply whose usage the provider did not report.'
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({
        modelId: 'gpt-4o-mini',
        doGenerate: async () => answered(text),
      }),
      middleware: agentBillMiddleware({ client: fixture.bill, agentId: 'agent', units: perToken }),
    })
    await generateText({
      model,
      prompt: 'Say it.',
      maxOutputTokens: 100,
      providerOptions: { agentbill: { customerId } },
    })
    const [event] = (await fixture.ledger(customerId)).events
    expect(event?.metadata).toMatchObject({
      measured: 'counted',
      model: 'gpt-4o-mini',
      outputTokens: await countTokens('gpt-4o-mini', text),
    })
    const { inputTokens, outputTokens } = (event?.metadata ?? {}) as {
      inputTokens: number
      outputTokens: number
    }
    expect(inputTokens).toBeGreaterThan(0)
    expect(event?.units).toBe(inputTokens + outputTokens)
  })

  it('holds the estimate of the prompt, the tools and maxOutputTokens', async () => {
    const customerId = fixture.newCustomer()
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({
        modelId: 'gpt-4o-mini',
        doGenerate: async () => answered('Ok.', { input: 1, output: 1 }),
      }),
      middleware: agentBillMiddleware({ client: fixture.bill, agentId: 'agent', units: perToken }),
    })
    const weather = tool({
      description: 'Tells the weather.',
      inputSchema: z.object({ city: z.string() }),
      execute: async () => 'Sunny.',
    })
    const common = { model, system: 'Be brief.', prompt: 'Weather in Oslo?', maxOutputTokens: 50 }
    const providerOptions = { agentbill: { customerId } }
    await generateText({ ...common, providerOptions })
    await generateText({ ...common, tools: { weather }, providerOptions })

    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text' as const, text: 'Weather in Oslo?' }] },
    ]
    const bare = await estimateCall({
      model: 'gpt-4o-mini',
      messages,
      maxOutputTokens: 50,
      policy: perToken,
    })
    const { decisions } = await fixture.ledger(customerId)
    expect(decisions[0]?.estimatedUnits).toBe(bare.units)
    expect(bare.units).toBe(bare.promptTokens + 50)
    // The tool's name, description and JSON schema are counted as the provider renders them.
    expect(decisions[1]?.estimatedUnits).toBeGreaterThan(bare.units + 10)
  })

  it('generateObject is gated, its JSON schema counted in the estimate', async () => {
    const customerId = fixture.newCustomer()
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({
        modelId: 'gpt-4o-mini',
        doGenerate: async () => answered('{"city":"Oslo","degrees":21}', { input: 40, output: 12 }),
      }),
      middleware: agentBillMiddleware({ client: fixture.bill, agentId: 'agent', units: perToken }),
    })
    const { object } = await generateObject({
      model,
      schema: z.object({ city: z.string(), degrees: z.number() }),
      prompt: 'Weather in Oslo?',
      maxOutputTokens: 50,
      providerOptions: { agentbill: { customerId } },
    })
    expect(object).toEqual({ city: 'Oslo', degrees: 21 })
    const { events, decisions } = await fixture.ledger(customerId)
    expect(events.map((event) => event.units)).toEqual([52])
    const bare = await estimateCall({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      maxOutputTokens: 50,
      policy: perToken,
    })
    expect(decisions[0]?.estimatedUnits).toBeGreaterThan(bare.units + 10)
  })

  it('a blocked call rejects with BudgetExceededError, which answers 402 with the upgrade URL', async () => {
    const customerId = fixture.newCustomer()
    await fixture.bill.admin.customers.update(customerId, { limitUnits: 0 })
    await fixture.bill.admin.project.update({ upgradeUrl: 'https://example.com/upgrade' })
    let calls = 0
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({
        doGenerate: async () => {
          calls++
          return answered('never')
        },
      }),
      middleware: agentBillMiddleware({ client: fixture.bill, agentId: 'agent' }),
    })
    const error = await generateText({
      model,
      prompt: 'Hi',
      providerOptions: { agentbill: { customerId } },
    }).catch((caught: unknown) => caught)
    expect(calls).toBe(0)
    expect(error).toBeInstanceOf(BudgetExceededError)
    const blocked = error as BudgetExceededError
    expect(blocked).toMatchObject({
      reason: 'budget_exhausted',
      customerId,
      upgradeUrl: 'https://example.com/upgrade',
    })
    const response = budgetExceededResponse(blocked)
    expect(response.status).toBe(402)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.json()).toEqual({
      error: {
        type: 'budget_exceeded',
        message: blocked.message,
        reason: 'budget_exhausted',
        customer_id: customerId,
        remaining_units: 0,
        upgrade_url: 'https://example.com/upgrade',
        run_id: blocked.runId,
      },
    })
  })

  it('a bad providerOptions.agentbill fails naming the field, before any preflight', async () => {
    const customerId = fixture.newCustomer()
    let calls = 0
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({
        doGenerate: async () => {
          calls++
          return answered('never')
        },
      }),
      middleware: agentBillMiddleware({ client: fixture.bill, agentId: 'agent' }),
    })
    const attempts = [
      [{ customerId: 42 }, 'providerOptions.agentbill.customerId'],
      [{ ceiling: 1.5 }, 'providerOptions.agentbill.ceiling'],
      [{ customer_id: customerId }, 'providerOptions.agentbill.customer_id'],
    ] as const
    for (const [agentbill, param] of attempts) {
      const error = await generateText({
        model,
        prompt: 'Hi',
        // The field is checked at run time: a call from plain JavaScript can send anything.
        providerOptions: { agentbill: agentbill as unknown as Record<string, string> },
      }).catch((caught: unknown) => caught)
      expect(AgentBillValidationError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ param })
    }
    expect(calls).toBe(0)
    expect((await fixture.ledger(customerId)).decisions).toEqual([])
  })

  it('a call with no agent id anywhere fails naming agentId', async () => {
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({ doGenerate: async () => answered('never') }),
      middleware: agentBillMiddleware({ client: fixture.bill }),
    })
    const error = await generateText({ model, prompt: 'Hi' }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ name: 'AgentBillValidationError', param: 'agentId' })
  })
})
