import { describe, expectTypeOf, it } from 'vitest'
import {
  AgentBill,
  AgentBillAPIError,
  AgentBillError,
  type Balance,
  type BlockReason,
  BudgetExceededError,
  type Customer,
  type Page,
  type PreflightResult,
  type RecordResult,
  type UsageEvent,
} from './index'

const bill = new AgentBill({ apiKey: 'agb_test' })

describe('typed results', () => {
  it('narrows a preflight on approved', async () => {
    const check = await bill.preflight({
      agentId: 'researcher',
      customerId: 'user_123',
      estimatedUnits: 10,
      ceiling: 20,
    })
    expectTypeOf(check).toEqualTypeOf<PreflightResult>()
    if (!check.approved) {
      expectTypeOf(check.reason).toEqualTypeOf<BlockReason>()
      expectTypeOf(check.upgradeUrl).toEqualTypeOf<string | null>()
      expectTypeOf(check.reservationId).toEqualTypeOf<null>()
    } else {
      expectTypeOf(check.reason).toEqualTypeOf<null>()
      expectTypeOf(check.reservationId).toEqualTypeOf<string | null>()
    }
    expectTypeOf(check.remainingUnits).toEqualTypeOf<number | null>()
  })

  it('narrows a record on queued', async () => {
    const result = await bill.record({
      agentId: 'researcher',
      units: 10,
      metadata: { model: 'gpt-4o' },
    })
    expectTypeOf(result).toEqualTypeOf<RecordResult>()
    if (result.queued) expectTypeOf(result.eventId).toEqualTypeOf<null>()
    else expectTypeOf(result.eventId).toEqualTypeOf<string>()
  })

  it('types the admin namespace', async () => {
    expectTypeOf(await bill.balance('user_123')).toEqualTypeOf<Balance>()
    expectTypeOf(await bill.admin.customers.list()).toEqualTypeOf<Page<Customer>>()
    expectTypeOf(await bill.admin.events.list({ customerId: 'c' })).toEqualTypeOf<
      Page<UsageEvent>
    >()
    expectTypeOf(bill.admin.keys.create)
      .parameter(0)
      .toHaveProperty('scope')
      .toEqualTypeOf<'runtime' | 'admin' | undefined>()
  })

  it('keeps the run callback’s result type', async () => {
    const answer = await bill.run({ agentId: 'a' }, async (run) => {
      expectTypeOf(run.runId).toEqualTypeOf<string>()
      return 42
    })
    expectTypeOf(answer).toEqualTypeOf<number>()
    const metered = bill.meter(async (text: string) => text.length, {
      agentId: 'a',
      units: (length) => length,
    })
    expectTypeOf(metered).toEqualTypeOf<(text: string) => Promise<number>>()
  })

  it('rejects wrong arguments at compile time', () => {
    // @ts-expect-error snake_case is not an option: the client would refuse it at run time too
    void bill.preflight({ agentId: 'a', estimated_units: 5 })
    // @ts-expect-error units are numbers
    void bill.record({ agentId: 'a', units: '5' })
    // @ts-expect-error agentId is required
    void bill.preflight({ customerId: 'c' })
  })

  it('narrows errors with isInstance', () => {
    const error: unknown = new Error('x')
    if (BudgetExceededError.isInstance(error))
      expectTypeOf(error.reason).toEqualTypeOf<BlockReason>()
    if (AgentBillAPIError.isInstance(error)) expectTypeOf(error.status).toEqualTypeOf<number>()
    if (AgentBillError.isInstance(error)) expectTypeOf(error).toExtend<Error>()
  })
})
