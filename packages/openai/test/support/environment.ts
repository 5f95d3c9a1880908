import { type FakeOpenAI, startFakeOpenAI } from '@agentbill/fake-openai'
import { startTestServer, type TestServer } from '@agentbill/server/testing'
import { AgentBill } from 'agentbill'
import OpenAI from 'openai'
import { afterAll, beforeAll } from 'vitest'

/** The real parts every end-to-end test uses: a fake provider, a real AgentBill server. */
export interface Environment {
  fake: FakeOpenAI
  server: TestServer
  bill: AgentBill
  /** A bare client on the fake provider (no retries unless asked). */
  openai(options?: ConstructorParameters<typeof OpenAI>[0]): OpenAI
  /** A customer id not used before. */
  newCustomer(): string
  /** What the server knows about a customer. */
  ledger(customerId: string): Promise<Ledger>
}

export interface Ledger {
  events: Awaited<ReturnType<AgentBill['admin']['events']['list']>>['data']
  decisions: Awaited<ReturnType<AgentBill['admin']['decisions']['list']>>['data']
  balance: Awaited<ReturnType<AgentBill['balance']>>
}

/** Starts the fake provider and the AgentBill server for the file's tests, and stops them after. */
export function useEnvironment(): Environment {
  let fake: FakeOpenAI
  let server: TestServer
  let bill: AgentBill
  let customers = 0
  beforeAll(async () => {
    ;[fake, server] = await Promise.all([startFakeOpenAI(), startTestServer()])
    bill = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url, maxRetries: 0 })
  })
  afterAll(async () => {
    await bill?.flush({ timeoutMs: 1000 })
    await Promise.all([fake?.close(), server?.close()])
  })
  return {
    get fake() {
      return fake
    },
    get server() {
      return server
    },
    get bill() {
      return bill
    },
    openai: (options) =>
      new OpenAI({ apiKey: 'sk-fake', baseURL: fake.baseURL, maxRetries: 0, ...options }),
    newCustomer: () => `customer-${++customers}-${Date.now()}`,
    async ledger(customerId) {
      const [events, decisions, balance] = await Promise.all([
        bill.admin.events.list({ customerId }),
        bill.admin.decisions.list({ customerId }),
        bill.balance(customerId),
      ])
      return { events: events.data, decisions: decisions.data, balance }
    },
  }
}
