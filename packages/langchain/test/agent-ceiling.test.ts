import type { FakeBehavior } from '@agentbill/fake-openai'
import type { BaseChatModel } from '@langchain/core/language_models/chat_models'
import { AIMessage } from '@langchain/core/messages'
import { fakeModel } from '@langchain/core/testing'
import { BudgetExceededError } from 'agentbill'
import { createAgent, tool } from 'langchain'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { AgentBillCallbackHandler } from '../src/agent-bill-callback-handler'
import { useBilling } from './billing-fixture'

// An agent whose model always wants one more tool call loops until the run's ceiling stops it.
// Each model call's estimate is its prompt (well under 1,000 tokens here) plus its output cap, in
// units of 1,000 tokens; what it records is what the provider reported. The preflight before
// each call checks `run used + run held + estimate > ceiling`, so the call that would pass the
// ceiling is never made, and the ledger holds exactly the calls that ran.
const billing = useBilling()

interface LoopCase {
  name: string
  /** Units each call holds before it runs. */
  estimate: number
  /** Tokens each call reports. */
  usage: { inputTokens: number; outputTokens: number }
  ceiling: number
  /** Call k (from 0) runs while k × units per call + estimate ≤ ceiling. */
  expectedCalls: number
  model(toolName: string): { model: BaseChatModel; providerCalls(): number }
}

const cases: LoopCase[] = [
  {
    name: 'ChatOpenAI (maxTokens 1,000) on the local OpenAI-compatible server',
    estimate: 2, // ceil((prompt < 1,000 + 1,000) / 1,000)
    usage: { inputTokens: 1200, outputTokens: 300 }, // 2 units
    ceiling: 9,
    expectedCalls: 4, // 0+2, 2+2, 4+2, 6+2 ≤ 9; then 8+2 > 9
    model(toolName) {
      const behaviors: FakeBehavior[] = Array.from({ length: 20 }, (_, index) => ({
        kind: 'tool-calls',
        calls: [{ name: toolName, arguments: { query: `page ${index + 1}` } }],
        usage: this.usage,
      }))
      billing.fake.script(...behaviors)
      const before = billing.fake.modelCalls
      return {
        model: billing.chatOpenAI({ maxTokens: 1000 }),
        providerCalls: () => billing.fake.modelCalls - before,
      }
    },
  },
  {
    name: 'fakeModel() reporting usage_metadata (no output cap: 4,096 tokens held)',
    estimate: 5, // ceil((prompt < 1,000 + 4,096) / 1,000)
    usage: { inputTokens: 4000, outputTokens: 1000 }, // 5 units
    ceiling: 22,
    expectedCalls: 4, // 0+5, 5+5, 10+5, 15+5 ≤ 22; then 20+5 > 22
    model(toolName) {
      const model = fakeModel()
      for (let index = 0; index < 20; index++) {
        model.respond(
          new AIMessage({
            content: '',
            tool_calls: [
              { name: toolName, args: { query: `page ${index + 1}` }, id: `call_${index}` },
            ],
            usage_metadata: {
              input_tokens: this.usage.inputTokens,
              output_tokens: this.usage.outputTokens,
              total_tokens: this.usage.inputTokens + this.usage.outputTokens,
            },
          }),
        )
      }
      return { model, providerCalls: () => model.callCount }
    },
  },
]

describe('an agent with tools that loops until the run ceiling stops it', () => {
  for (const loop of cases) {
    it(loop.name, async () => {
      const customerId = billing.newCustomer()
      let searches = 0
      const search = tool(
        async ({ query }) => {
          searches++
          return `Nothing conclusive on ${query}; keep looking.`
        },
        { name: 'search', description: 'Search the web', schema: z.object({ query: z.string() }) },
      )
      const { model, providerCalls } = loop.model('search')
      const agent = createAgent({ model, tools: [search] })
      const handler = new AgentBillCallbackHandler({
        client: billing.bill,
        agentId: 'researcher',
        customerId,
        ceiling: loop.ceiling,
      })
      const rootRunId = crypto.randomUUID()

      const error = await agent
        .invoke(
          { messages: [{ role: 'user', content: 'Find everything about the topic.' }] },
          { callbacks: [handler], runId: rootRunId, recursionLimit: 100 },
        )
        .catch((caught: unknown) => caught)

      const unitsPerCall = Math.ceil((loop.usage.inputTokens + loop.usage.outputTokens) / 1000)
      const { expectedCalls } = loop

      expect(BudgetExceededError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ reason: 'ceiling_exceeded', runId: rootRunId, customerId })
      expect(providerCalls()).toBe(expectedCalls)
      expect(searches).toBe(expectedCalls)

      const ledger = await billing.ledger(customerId)
      expect(ledger.events).toHaveLength(expectedCalls)
      expect(ledger.events.every((event) => event.runId === rootRunId)).toBe(true)
      const billed = ledger.events.reduce((sum, event) => sum + event.units, 0)
      expect(billed).toBe(expectedCalls * unitsPerCall)
      expect(billed).toBeLessThanOrEqual(loop.ceiling)
      expect(ledger.balance).toMatchObject({ usedUnits: billed, reservedUnits: 0 })
      expect(ledger.decisions.map((decision) => [decision.approved, decision.reason])).toEqual([
        ...Array.from({ length: expectedCalls }, () => [true, null]),
        [false, 'ceiling_exceeded'],
      ])
      expect(ledger.decisions.every((decision) => decision.estimatedUnits === loop.estimate)).toBe(
        true,
      )
      expect(handler.openRuns).toBe(0)
    })
  }
})
