import { startServer } from '@agentbill/server'

/** Where an example's AgentBill client should point, and how to stop what was started for it. */
export interface AgentBillConnection {
  baseUrl: string
  apiKey: string
  /** `true` when the example started its own server (no AGENTBILL_BASE_URL was set). */
  local: boolean
  close(): Promise<void>
}

/**
 * Uses the AgentBill server in `AGENTBILL_BASE_URL` / `AGENTBILL_API_KEY` when both are set;
 * otherwise starts a real one in this process, on a random port with an in-memory ledger, and
 * says so — so every example runs offline with one command.
 */
export async function connectAgentBill(
  log: (line: string) => void = console.log,
): Promise<AgentBillConnection> {
  const baseUrl = process.env.AGENTBILL_BASE_URL
  const apiKey = process.env.AGENTBILL_API_KEY
  if (baseUrl !== undefined && baseUrl !== '' && apiKey !== undefined && apiKey !== '') {
    log(`Using the AgentBill server at ${baseUrl}`)
    return { baseUrl, apiKey, local: false, close: async () => {} }
  }
  const server = await startServer({ port: 0, database: ':memory:', logger: false })
  if (server.bootstrapped === null)
    throw new Error('A new in-memory server always creates its first project')
  log(`No AGENTBILL_BASE_URL set: started a local AgentBill server at ${server.url} (in memory)`)
  return {
    baseUrl: server.url,
    apiKey: server.bootstrapped.adminKey,
    local: true,
    close: () => server.close(),
  }
}
