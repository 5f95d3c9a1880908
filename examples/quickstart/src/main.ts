import { connectAgentBill } from '@agentbill/example-support'
import { AgentBill } from 'agentbill'

const connection = await connectAgentBill()
const bill = new AgentBill({ apiKey: connection.apiKey, baseUrl: connection.baseUrl })

// The three lines: ask before the run, stop if blocked, record what the run used.
const check = await bill.preflight({
  agentId: 'researcher',
  customerId: 'user_123',
  estimatedUnits: 10,
  ceiling: 20,
})
if (!check.approved) throw new Error(`Blocked: ${check.reason}`)
console.log(`preflight approved: ${check.remainingUnits} units left once this run's 10 are spent`)
const recorded = await bill.record({
  agentId: 'researcher',
  customerId: 'user_123',
  units: 10,
  metadata: { model: 'gpt-4o' },
})
console.log(`recorded ${recorded.units} units (event ${recorded.eventId})`)

// A run that would pass its ceiling is blocked before it spends anything.
const tooBig = await bill.preflight({
  agentId: 'researcher',
  customerId: 'user_123',
  estimatedUnits: 30,
  ceiling: 20,
})
console.log(
  `a 30-unit run under a 20-unit ceiling: ${tooBig.approved ? 'approved' : `blocked (${tooBig.reason})`}`,
)

const balance = await bill.balance('user_123')
console.log(
  `balance of user_123: granted ${balance.grantedUnits}, used ${balance.usedUnits}, remaining ${balance.remainingUnits}`,
)
await connection.close()
