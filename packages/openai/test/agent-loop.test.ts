import { tokensPolicy } from '@agentbill/tokens'
import { BudgetExceededError } from 'agentbill'
import { OpenAIError } from 'openai'
import { describe, expect, it } from 'vitest'
import { withAgentBill } from '../src/index'
import { useEnvironment } from './support/environment'

// A multi-call agent loop (`runTools`) inside `bill.run` with a ceiling: every model call is
// preflighted under the run's id, the loop is stopped by the ceiling before the call that would
// pass it leaves the process, and the ledger holds exactly one event per call that ran.
const environment = useEnvironment()
const policy = tokensPolicy({ tokensPerUnit: 1 })
const usagePerCall = { inputTokens: 60, outputTokens: 20 } // 80 units each
const ceiling = 600

describe('runTools under a run ceiling', () => {
  for (const stream of [false, true]) {
    it(`${stream ? 'streamed' : 'not streamed'}: stopped by the ceiling, ledger exact`, async () => {
      const customerId = environment.newCustomer()
      // A model that asks for the tool again and again: only the ceiling ends this loop.
      environment.fake.script(
        ...Array.from({ length: 10 }, () => ({
          kind: 'tool-calls' as const,
          calls: [{ name: 'search', arguments: { query: 'more' } }],
          usage: usagePerCall,
        })),
      )
      const callsBefore = environment.fake.modelCalls
      const openai = withAgentBill(environment.openai(), {
        client: environment.bill,
        agentId: 'looping-agent',
        units: policy,
      })
      let toolRuns = 0
      let runId = ''
      const error = await environment.bill
        .run({ agentId: 'looping-agent', customerId, ceiling }, async (run) => {
          runId = run.runId
          const body = {
            model: 'gpt-4o-mini',
            max_completion_tokens: 50,
            messages: [{ role: 'user' as const, content: 'Research until you are done.' }],
            tools: [
              {
                type: 'function' as const,
                function: {
                  name: 'search',
                  description: 'Searches the web',
                  parameters: { type: 'object', properties: { query: { type: 'string' } } },
                  function: () => {
                    toolRuns++
                    return 'more results'
                  },
                  parse: JSON.parse,
                },
              },
            ],
          }
          const runner = stream
            ? openai.chat.completions.runTools({ ...body, stream: true })
            : openai.chat.completions.runTools({ ...body, stream: false })
          return runner.finalContent()
        })
        .catch((caught: unknown) => caught)

      // The SDK's runner wraps errors that are not its own; the cause is the block.
      expect(error).toBeInstanceOf(OpenAIError)
      const cause = (error as OpenAIError).cause
      expect(BudgetExceededError.isInstance(cause)).toBe(true)
      expect(cause).toMatchObject({ reason: 'ceiling_exceeded', runId, customerId })

      const ran = environment.fake.modelCalls - callsBefore
      expect(ran).toBeGreaterThanOrEqual(3)
      expect(ran).toBeLessThan(10)
      expect(toolRuns).toBe(ran)
      const { events, decisions, balance } = await environment.ledger(customerId)
      expect(events).toHaveLength(ran)
      expect(events.every((event) => event.units === 80 && event.runId === runId)).toBe(true)
      // Decisions: the run's own (no hold), one held per call that ran, the blocked one.
      expect(decisions).toHaveLength(ran + 2)
      expect(decisions.filter((decision) => decision.reservationId !== null)).toHaveLength(ran)
      const blocked = decisions.filter((decision) => !decision.approved)
      expect(blocked).toHaveLength(1)
      expect(blocked[0]).toMatchObject({ reason: 'ceiling_exceeded', runId })
      expect(balance).toMatchObject({ usedUnits: 80 * ran, reservedUnits: 0 })
      // Stopped before passing: what ran plus the blocked call's estimate would pass the ceiling.
      expect(80 * ran).toBeLessThanOrEqual(ceiling)
      expect(80 * ran + (blocked[0]?.estimatedUnits ?? 0)).toBeGreaterThan(ceiling)
    })
  }
})
