import { startTestServer, type TestServer } from '@agentbill/server/testing'
import { AgentBill } from 'agentbill'
import { afterAll, beforeAll } from 'vitest'

/** The real AgentBill server for one test file, and what the tests read back from its ledger. */
export interface ServerFixture {
  readonly bill: AgentBill
  readonly server: TestServer
  /** A customer no other test uses. */
  newCustomer(): string
  /** The customer's balance, events (oldest first) and decisions (oldest first). */
  ledger(customerId: string): Promise<Ledger>
}

export interface Ledger {
  balance: Awaited<ReturnType<AgentBill['balance']>>
  events: Awaited<ReturnType<AgentBill['admin']['events']['list']>>['data']
  decisions: Awaited<ReturnType<AgentBill['admin']['decisions']['list']>>['data']
}

/** Starts a real server on a random port before the file's tests and stops it after. */
export function useAgentBillServer(): ServerFixture {
  let server: TestServer | undefined
  let bill: AgentBill | undefined
  let count = 0
  beforeAll(async () => {
    server = await startTestServer()
    bill = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url, maxRetries: 0 })
  })
  afterAll(async () => {
    await bill?.flush({ timeoutMs: 1000 })
    await server?.close()
  })
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('The AgentBill server is not started yet')
    return value
  }
  const byCreation = <T extends { id: string }>(items: T[]) =>
    // Server ids sort by time.
    [...items].sort((a, b) => a.id.localeCompare(b.id))
  return {
    get bill() {
      return started(bill)
    },
    get server() {
      return started(server)
    },
    newCustomer: () => `customer-${++count}-${crypto.randomUUID().slice(0, 8)}`,
    async ledger(customerId) {
      const client = started(bill)
      const [balance, events, decisions] = await Promise.all([
        client.balance(customerId),
        client.admin.events.list({ customerId, limit: 100 }),
        client.admin.decisions.list({ customerId, limit: 100 }),
      ])
      return { balance, events: byCreation(events.data), decisions: byCreation(decisions.data) }
    },
  }
}
