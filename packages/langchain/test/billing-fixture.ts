import { type FakeOpenAI, startFakeOpenAI } from '@agentbill/fake-openai'
import { startTestServer, type TestServer } from '@agentbill/server/testing'
import { ChatOpenAI } from '@langchain/openai'
import { AgentBill } from 'agentbill'
import { afterAll, beforeAll } from 'vitest'

/** A real AgentBill server and the local OpenAI-compatible fake, for one test file. */
export interface BillingFixture {
  server: TestServer
  fake: FakeOpenAI
  bill: AgentBill
  /** A customer id no other test uses. */
  newCustomer(): string
  /** ChatOpenAI on the fake provider. */
  chatOpenAI(fields?: ConstructorParameters<typeof ChatOpenAI>[0]): ChatOpenAI
  /** The customer's balance, events (oldest first) and decisions (oldest first). */
  ledger(customerId: string): Promise<Ledger>
}

export interface Ledger {
  balance: Awaited<ReturnType<AgentBill['balance']>>
  events: Awaited<ReturnType<AgentBill['admin']['events']['list']>>['data']
  decisions: Awaited<ReturnType<AgentBill['admin']['decisions']['list']>>['data']
}

/** Starts the server and the fake before the file's tests and stops them after. */
export function useBilling(): BillingFixture {
  let customers = 0
  const fixture = {
    newCustomer: () => `customer-${++customers}-${Math.random().toString(36).slice(2, 8)}`,
    chatOpenAI: (fields = {}) =>
      new ChatOpenAI({
        model: 'gpt-4o-mini',
        apiKey: 'sk-fake',
        configuration: { baseURL: fixture.fake.baseURL },
        ...fields,
      }),
    async ledger(customerId: string) {
      const [balance, events, decisions] = await Promise.all([
        fixture.bill.balance(customerId),
        fixture.bill.admin.events.list({ customerId, limit: 200 }),
        fixture.bill.admin.decisions.list({ customerId, limit: 200 }),
      ])
      return {
        balance,
        events: [...events.data].reverse(),
        decisions: [...decisions.data].reverse(),
      }
    },
  } as BillingFixture
  beforeAll(async () => {
    fixture.server = await startTestServer()
    fixture.fake = await startFakeOpenAI()
    fixture.bill = new AgentBill({
      apiKey: fixture.server.adminKey,
      baseUrl: fixture.server.url,
      maxRetries: 0,
    })
  })
  afterAll(async () => {
    await fixture.bill?.flush({ timeoutMs: 1000 })
    await fixture.fake?.close()
    await fixture.server?.close()
  })
  return fixture
}
