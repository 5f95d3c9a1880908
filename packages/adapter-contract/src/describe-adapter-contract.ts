import { startTestServer, type TestServer } from '@agentbill/server/testing'
import { AgentBill, BudgetExceededError } from 'agentbill'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContractCall, ContractHarness, ContractUsage } from './contract-harness'

/** One unit per 1,000 tokens, rounded up: the default units policy every adapter starts with. */
export function defaultPolicyUnits(usage: ContractUsage): number {
  return Math.ceil((usage.inputTokens + usage.outputTokens) / 1000)
}

/** Options of {@link describeAdapterContract}. */
export interface AdapterContractOptions {
  /**
   * The units the adapter records for `usage`, when it is configured with another policy.
   * @default one unit per 1,000 tokens, rounded up
   */
  expectedUnits?: (usage: ContractUsage) => number
}

/**
 * The contract every AgentBill adapter passes, against a real AgentBill server on a random port:
 * a blocked preflight means the provider is never called; a success records the actual usage once
 * and settles its hold; a provider error releases the hold and records nothing; the provider SDK's
 * own retries never bill twice; and streams pass every chunk through unchanged.
 */
export function describeAdapterContract(
  harness: () => ContractHarness | Promise<ContractHarness>,
  options: AdapterContractOptions = {},
): void {
  const expectedUnits = options.expectedUnits ?? defaultPolicyUnits
  let server: TestServer
  let bill: AgentBill
  let subject: ContractHarness
  let customerCount = 0

  beforeAll(async () => {
    server = await startTestServer()
    bill = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url, maxRetries: 0 })
    subject = await harness()
  })
  afterAll(async () => {
    await bill?.flush({ timeoutMs: 1000 })
    await server?.close()
  })

  const newCustomer = () => `contract-customer-${++customerCount}-${Date.now()}`
  const call = (overrides: Partial<ContractCall> & Pick<ContractCall, 'customerId' | 'answer'>) =>
    subject.call({
      bill,
      agentId: 'contract-agent',
      prompt: 'Say something useful.',
      stream: false,
      bare: false,
      ...overrides,
    })
  const ledger = async (customerId: string) => {
    const [balance, events, decisions] = await Promise.all([
      bill.balance(customerId),
      bill.admin.events.list({ customerId }),
      bill.admin.decisions.list({ customerId }),
    ])
    return { balance, events: events.data, decisions: decisions.data }
  }

  describe('the adapter contract', () => {
    for (const stream of [false, true]) {
      const mode = stream ? 'streamed' : 'not streamed'

      describe(mode, () => {
        it('a blocked preflight means the provider is never called', async (context) => {
          if (stream && !subject.streaming) return context.skip()
          const customerId = newCustomer()
          await bill.admin.customers.update(customerId, { limitUnits: 0 })
          const before = subject.providerCalls()
          const error = await call({
            customerId,
            stream,
            answer: {
              kind: 'text',
              text: 'never said',
              usage: { inputTokens: 10, outputTokens: 10 },
            },
          }).catch((caught: unknown) => caught)
          expect(BudgetExceededError.isInstance(error)).toBe(true)
          expect(error).toMatchObject({ reason: 'budget_exhausted', customerId })
          expect(subject.providerCalls()).toBe(before)
          const after = await ledger(customerId)
          expect(after.events).toEqual([])
          expect(after.decisions.map((decision) => decision.approved)).toEqual([false])
          expect(after.balance.reservedUnits).toBe(0)
        })

        it('a success records the actual usage once and settles the hold', async (context) => {
          if (stream && !subject.streaming) return context.skip()
          const customerId = newCustomer()
          const usage = { inputTokens: 1200, outputTokens: 650 }
          const result = await call({
            customerId,
            stream,
            answer: { kind: 'text', text: 'A useful answer.', usage },
          })
          expect(result.text).toBe('A useful answer.')
          const after = await ledger(customerId)
          expect(after.events.map((event) => event.units)).toEqual([expectedUnits(usage)])
          expect(after.events[0]?.agentId).toBe('contract-agent')
          expect(after.balance).toMatchObject({ usedUnits: expectedUnits(usage), reservedUnits: 0 })
          expect(after.decisions.filter((decision) => decision.approved)).toHaveLength(1)
          const reservationId = after.decisions[0]?.reservationId
          expect(reservationId).toEqual(expect.stringMatching(/^rsv_/))
          await expect(bill.getReservation(reservationId as string)).resolves.toMatchObject({
            status: 'settled',
          })
        })

        it('a provider error releases the hold and records nothing', async (context) => {
          if (stream && !subject.streaming) return context.skip()
          const customerId = newCustomer()
          const before = subject.providerCalls()
          const error = await call({
            customerId,
            stream,
            answer: { kind: 'error', status: 400 },
          }).catch((caught: unknown) => caught)
          expect(error).toBeInstanceOf(Error)
          expect(BudgetExceededError.isInstance(error)).toBe(false)
          expect(subject.providerCalls()).toBe(before + 1)
          const after = await ledger(customerId)
          expect(after.events).toEqual([])
          expect(after.balance).toMatchObject({ usedUnits: 0, reservedUnits: 0 })
          const reservationId = after.decisions[0]?.reservationId
          await expect(bill.getReservation(reservationId as string)).resolves.toMatchObject({
            status: 'released',
          })
        })

        it("the provider SDK's own retries never bill twice", async (context) => {
          if (stream && !subject.streaming) return context.skip()
          const customerId = newCustomer()
          const usage = { inputTokens: 2500, outputTokens: 400 }
          const before = subject.providerCalls()
          const result = await call({
            customerId,
            stream,
            answer: {
              kind: 'transient-error-then-text',
              status: 429,
              text: 'Second time lucky.',
              usage,
            },
          })
          expect(result.text).toBe('Second time lucky.')
          expect(subject.providerCalls()).toBe(before + 2)
          const after = await ledger(customerId)
          expect(after.events.map((event) => event.units)).toEqual([expectedUnits(usage)])
          expect(after.balance).toMatchObject({ usedUnits: expectedUnits(usage), reservedUnits: 0 })
        })
      })
    }

    it('streaming passes every chunk through unchanged', async (context) => {
      if (!subject.streaming) return context.skip()
      const customerId = newCustomer()
      const answer = {
        kind: 'text' as const,
        text: 'One two three four five six seven.',
        usage: { inputTokens: 30, outputTokens: 9 },
      }
      const bare = await call({ customerId, stream: true, bare: true, answer })
      const gated = await call({ customerId, stream: true, answer })
      expect(bare.chunks?.length).toBeGreaterThan(3)
      expect(gated.chunks).toEqual(bare.chunks)
      expect(gated.text).toBe(answer.text)
      const after = await ledger(customerId)
      expect(after.events.map((event) => event.units)).toEqual([expectedUnits(answer.usage)])
    })
  })
}
