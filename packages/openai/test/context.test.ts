import { AgentBillValidationError } from 'agentbill'
import { describe, expect, it } from 'vitest'
import { agentBillHeaders, withAgentBill } from '../src/index'
import { useEnvironment } from './support/environment'

// Where a call's agent, customer and run come from, so one wrapped client serves many customers:
// the request's own headers, then an enclosing `bill.run(...)`, then the wrapper's options.
const environment = useEnvironment()
const request = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content: 'Hi' }],
  max_completion_tokens: 100,
}

function scriptAnswer() {
  environment.fake.script({
    kind: 'text',
    text: 'Hello.',
    usage: { inputTokens: 10, outputTokens: 2 },
  })
}

async function onlyEvent(customerId: string) {
  const { events, balance } = await environment.ledger(customerId)
  expect(events).toHaveLength(1)
  expect(balance.reservedUnits).toBe(0)
  return events[0]
}

function sentHeaders() {
  return Object.keys(environment.fake.requests.at(-1)?.headers ?? {})
}

describe('call context', () => {
  it("comes from the wrapper's options", async () => {
    const customerId = environment.newCustomer()
    const openai = withAgentBill(environment.openai(), {
      client: environment.bill,
      agentId: 'options-agent',
      customerId,
    })
    scriptAnswer()
    await openai.chat.completions.create(request)
    expect(await onlyEvent(customerId)).toMatchObject({ agentId: 'options-agent', runId: null })
  })

  it('an enclosing bill.run scope wins over the options', async () => {
    const optionsCustomer = environment.newCustomer()
    const runCustomer = environment.newCustomer()
    const openai = withAgentBill(environment.openai(), {
      client: environment.bill,
      agentId: 'options-agent',
      customerId: optionsCustomer,
    })
    scriptAnswer()
    const runId = await environment.bill.run(
      { agentId: 'run-agent', customerId: runCustomer },
      async (run) => {
        await openai.chat.completions.create(request)
        return run.runId
      },
    )
    expect(await onlyEvent(runCustomer)).toMatchObject({ agentId: 'run-agent', runId })
    expect((await environment.ledger(optionsCustomer)).events).toEqual([])
  })

  it('per request, headers win over the scope, and never reach the provider', async () => {
    const runCustomer = environment.newCustomer()
    const requestCustomer = environment.newCustomer()
    const openai = withAgentBill(environment.openai(), {
      client: environment.bill,
      agentId: 'options-agent',
    })
    scriptAnswer()
    await environment.bill.run({ agentId: 'run-agent', customerId: runCustomer }, () =>
      openai.chat.completions.create(request, {
        headers: agentBillHeaders({ customerId: requestCustomer, agentId: 'request-agent' }),
      }),
    )
    expect(await onlyEvent(requestCustomer)).toMatchObject({ agentId: 'request-agent' })
    expect((await environment.ledger(runCustomer)).events).toEqual([])
    expect(sentHeaders().filter((name) => name.startsWith('x-agentbill'))).toEqual([])
  })

  it('one wrapped client serves many customers at once', async () => {
    const openai = withAgentBill(environment.openai(), {
      client: environment.bill,
      agentId: 'shared-agent',
    })
    const customers = [
      environment.newCustomer(),
      environment.newCustomer(),
      environment.newCustomer(),
    ]
    for (const _customer of customers) scriptAnswer()
    await Promise.all(
      customers.map((customerId) =>
        openai.responses.create(
          { model: 'gpt-4o-mini', input: 'Hi', max_output_tokens: 100 },
          { headers: agentBillHeaders({ customerId }) },
        ),
      ),
    )
    for (const customerId of customers) {
      expect(await onlyEvent(customerId)).toMatchObject({ customerId, agentId: 'shared-agent' })
    }
  })

  it('withOptions({ defaultHeaders }) derives a client for one customer', async () => {
    const customerId = environment.newCustomer()
    const openai = withAgentBill(environment.openai(), {
      client: environment.bill,
      agentId: 'options-agent',
      customerId: environment.newCustomer(),
    })
    const forCustomer = openai.withOptions({ defaultHeaders: agentBillHeaders({ customerId }) })
    scriptAnswer()
    await forCustomer.chat.completions.create(request)
    expect(await onlyEvent(customerId)).toMatchObject({ customerId })
    expect(sentHeaders().filter((name) => name.startsWith('x-agentbill'))).toEqual([])
  })

  it('a call with no agent anywhere is refused before anything is sent', async () => {
    const openai = withAgentBill(environment.openai(), { client: environment.bill })
    const before = environment.fake.modelCalls
    const error = await openai.chat.completions.create(request).catch((caught: unknown) => caught)
    expect(AgentBillValidationError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ param: 'agentId' })
    expect(environment.fake.modelCalls).toBe(before)
  })

  it('a bad ceiling header is refused, naming the header, before anything is sent', async () => {
    const openai = withAgentBill(environment.openai(), {
      client: environment.bill,
      agentId: 'options-agent',
    })
    const before = environment.fake.modelCalls
    const error = await openai.chat.completions
      .create(request, { headers: { 'X-AgentBill-Ceiling': '2.5' } })
      .catch((caught: unknown) => caught)
    expect(AgentBillValidationError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ param: 'x-agentbill-ceiling' })
    expect(environment.fake.modelCalls).toBe(before)
  })
})
