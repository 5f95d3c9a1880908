import { BudgetExceededError } from 'agentbill'
import { describe, expect, it } from 'vitest'
import { AllowanceExceededError } from '../../src/index'
import { useAgentBillServer } from './agent-bill-server'
import type { MajorDriver } from './major-driver'
import type { ProviderStep, ScriptedProvider } from './scripted-provider'

const lookup = (query: string, usage = { inputTokens: 100, outputTokens: 20 }): ProviderStep => ({
  kind: 'tool-call',
  toolName: 'lookup',
  input: { query },
  usage,
})
const answer = (text: string, usage = { inputTokens: 200, outputTokens: 10 }): ProviderStep => ({
  kind: 'text',
  text,
  usage,
})
// About 5,000 tokens: far more than the ceilings below let through.
const LONG_TEXT = Array.from({ length: 5000 }, (_, index) => `word${index % 10}`).join(' ')

/**
 * What the middleware promises beyond the shared contract, on one major of `ai` with its mock
 * model, against the real AgentBill server: tool loops are one run and stop at its ceiling with
 * the ledger exact, streams are cut at the run's ceiling and the customer's budget, and a blocked
 * stream's error reaches `onError` and `fullStream`.
 */
export function describeMiddlewareSuite(
  create: () => { driver: MajorDriver; provider: ScriptedProvider },
) {
  const { driver, provider } = create()
  const fixture = useAgentBillServer()
  const call = (customerId: string) => ({
    bill: fixture.bill,
    agentId: 'suite-agent',
    customerId,
    prompt: 'Look up three words, then answer.',
  })

  describe(driver.name, () => {
    for (const stream of [false, true]) {
      const how = stream ? 'streamText' : 'generateText'

      it(`a ${how} tool loop is one run: every step carries the run id of the call`, async () => {
        const customerId = fixture.newCustomer()
        provider.script(lookup('a'), lookup('b'), answer('Nothing found.'))
        const first = await driver.toolLoop({ ...call(customerId), stream })
        provider.script(lookup('c'), answer('Still nothing.'))
        const second = await driver.toolLoop({ ...call(customerId), stream })
        expect(first).toMatchObject({ steps: 3, text: 'Nothing found.', error: undefined })
        expect(second).toMatchObject({ steps: 2, error: undefined })

        const { events, balance } = await fixture.ledger(customerId)
        expect(events.map((event) => event.units)).toEqual([1, 1, 1, 1, 1])
        const runs = events.map((event) => event.runId)
        expect(runs[0]).toMatch(/^run_/)
        expect(runs.slice(0, 3)).toEqual([runs[0], runs[0], runs[0]])
        expect(runs.slice(3)).toEqual([runs[3], runs[3]])
        expect(runs[3]).not.toBe(runs[0])
        expect(balance).toMatchObject({ usedUnits: 5, reservedUnits: 0 })
      })

      it(`a ${how} tool loop stops at its run's ceiling with the ledger exact`, async () => {
        const customerId = fixture.newCustomer()
        // Each step holds 2 units (a short prompt and 1,000 output tokens) and uses 4 (3,500
        // tokens): steps 1–3 use 12 of the ceiling of 12; step 4 would need 2 more and is blocked.
        const usage = { inputTokens: 3000, outputTokens: 500 }
        provider.script(...['a', 'b', 'c', 'd', 'e'].map((query) => lookup(query, usage)))
        const before = provider.calls
        const outcome = await driver.toolLoop({
          ...call(customerId),
          stream,
          ceiling: 12,
          maxOutputTokens: 1000,
        })

        expect(provider.calls - before).toBe(3)
        expect(outcome.steps).toBe(3)
        expect(BudgetExceededError.isInstance(outcome.error)).toBe(true)
        const { events, balance, decisions } = await fixture.ledger(customerId)
        const runId = events[0]?.runId
        expect(outcome.error).toMatchObject({ reason: 'ceiling_exceeded', runId, customerId })
        expect(events.map((event) => [event.units, event.runId])).toEqual([
          [4, runId],
          [4, runId],
          [4, runId],
        ])
        expect(balance).toMatchObject({ usedUnits: 12, reservedUnits: 0 })
        expect(decisions.map((decision) => [decision.approved, decision.reason])).toEqual([
          [true, null],
          [true, null],
          [true, null],
          [false, 'ceiling_exceeded'],
        ])
        expect(decisions.map((decision) => decision.estimatedUnits)).toEqual([2, 2, 2, 2])
      })
    }

    it("a stream is cut at the run's ceiling, its output recorded up to it", async () => {
      const customerId = fixture.newCustomer()
      provider.script(answer(LONG_TEXT, { inputTokens: 20, outputTokens: 5000 }))
      const outcome = await driver.streamOutcome({
        ...call(customerId),
        ceiling: 4,
        maxOutputTokens: 1000,
      })

      expect(outcome.errors).toHaveLength(1)
      const [error] = outcome.errors
      expect(AllowanceExceededError.isInstance(error)).toBe(true)
      expect(outcome.onErrors).toEqual([error])
      expect(error).toMatchObject({ reason: 'ceiling_exceeded', allowanceUnits: 4, usedUnits: 4 })
      expect(outcome.text.length).toBeGreaterThan(0)
      expect(LONG_TEXT.startsWith(outcome.text)).toBe(true)
      expect(outcome.text.length).toBeLessThan(LONG_TEXT.length)

      const { events, balance } = await fixture.ledger(customerId)
      expect(events.map((event) => [event.units, event.metadata.stopped])).toEqual([
        [4, 'allowance'],
      ])
      expect(balance).toMatchObject({ usedUnits: 4, reservedUnits: 0 })
    })

    it("a stream is cut at the customer's budget", async () => {
      const customerId = fixture.newCustomer()
      await fixture.bill.admin.customers.update(customerId, { limitUnits: 5 })
      provider.script(answer(LONG_TEXT, { inputTokens: 20, outputTokens: 5000 }))
      const outcome = await driver.streamOutcome({ ...call(customerId), maxOutputTokens: 1000 })

      expect(outcome.errors).toHaveLength(1)
      expect(outcome.errors[0]).toMatchObject({
        name: 'AllowanceExceededError',
        reason: 'budget_exhausted',
        allowanceUnits: 5,
        usedUnits: 5,
        customerId,
      })
      const { balance } = await fixture.ledger(customerId)
      expect(balance).toMatchObject({ usedUnits: 5, reservedUnits: 0, remainingUnits: 0 })
    })

    it('a blocked streamText hands the BudgetExceededError to onError and fullStream', async () => {
      const customerId = fixture.newCustomer()
      await fixture.bill.admin.customers.update(customerId, { limitUnits: 0 })
      provider.script(answer('never said'))
      const before = provider.calls
      const outcome = await driver.streamOutcome(call(customerId))

      expect(provider.calls).toBe(before)
      expect(outcome.text).toBe('')
      expect(outcome.errors).toHaveLength(1)
      expect(BudgetExceededError.isInstance(outcome.errors[0])).toBe(true)
      expect(outcome.errors[0]).toMatchObject({ reason: 'budget_exhausted', customerId })
      expect(outcome.onErrors).toEqual(outcome.errors)
    })
  })
}
