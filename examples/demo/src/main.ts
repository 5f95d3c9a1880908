import { mkdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { connectModel } from '@agentbill/example-support'
import { withAgentBill } from '@agentbill/openai'
import { tokensPolicy } from '@agentbill/tokens'
import { AgentBill, BudgetExceededError } from 'agentbill'
import OpenAI from 'openai'
import { demoProject } from './demo-project'
import { startServerProcess } from './server-process'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8787' },
    once: { type: 'boolean', default: false },
  },
})
// Where the user ran the command (pnpm runs scripts inside the package folder).
const home = process.env.INIT_CWD ?? process.cwd()
const dataDirectory = resolve(home, '.agentbill')
mkdirSync(dataDirectory, { recursive: true })
const database = join(dataDirectory, 'agentbill.db')

console.log('Starting the AgentBill server on its embedded SQLite default…')
const server = await startServerProcess({
  port: Number(values.port),
  database,
  logFile: join(dataDirectory, 'server.log'),
})
console.log(
  `AgentBill server: ${server.url}  (ledger ${relative(home, database)}, logs ${relative(home, join(dataDirectory, 'server.log'))})`,
)

const { key, created } = await demoProject(server.url, join(dataDirectory, 'demo.json'))
console.log(
  `${created ? 'Registered' : 'Reusing'} the demo project (its admin key is in .agentbill/demo.json)`,
)
const bill = new AgentBill({ apiKey: key, baseUrl: server.url })

const model = await connectModel()
// One unit per 100 tokens, so a short demo spends a visible budget.
const units = tokensPolicy({ tokensPerUnit: 100 })
const customerId = `demo-customer-${new Date().toISOString().slice(11, 19).replaceAll(':', '')}`
const budget = 40
await bill.admin.customers.update(customerId, { limitUnits: budget })
const openai = withAgentBill(new OpenAI({ apiKey: model.apiKey, baseURL: model.baseURL }), {
  client: bill,
  agentId: 'researcher',
  customerId,
  units,
})
console.log(
  `\nCustomer ${customerId} has ${budget} units. Agent "researcher" answers questions until preflight says no:\n`,
)

const questions = [
  'What is preflight billing?',
  'Why should an agent check its budget before a run?',
  'How does a per-run ceiling stop a runaway agent?',
  'What happens to usage when the billing server is briefly down?',
  'Why must usage be recorded exactly once?',
]
for (let call = 1; call <= 50; call++) {
  const question = questions[(call - 1) % questions.length] as string
  try {
    await openai.chat.completions.create({
      model: model.model,
      max_tokens: 150,
      messages: [{ role: 'user', content: question }],
    })
    const balance = await bill.balance(customerId)
    console.log(
      `  #${String(call).padStart(2)}  approved  → used so far ${String(balance.usedUnits).padStart(2)} units, ${balance.remainingUnits} left`,
    )
  } catch (error) {
    if (!BudgetExceededError.isInstance(error)) throw error
    console.log(
      `  #${String(call).padStart(2)}  BLOCKED   → ${error.reason}: ${error.remainingUnits} units left, this call needs ${error.estimatedUnits}. The model was never called.`,
    )
    break
  }
}
const events = await bill.admin.events.list({ customerId, limit: 200 })
const blocked = await bill.admin.decisions.list({ customerId, approved: false })
console.log(
  `\nLedger: ${events.data.length} calls recorded (${events.data.reduce((sum, event) => sum + event.units, 0)} units), ${blocked.data.length} blocked preflight.`,
)
console.log(
  `Dashboard: ${server.url}/   API docs: ${server.url}/docs   Sign in with the demo key in .agentbill/demo.json`,
)

await model.close()
if (values.once) {
  await server.stop()
} else {
  console.log('\nThe server keeps running. Press Ctrl-C to stop it.')
  const stop = () => {
    void server.stop().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
