import { connectAgentBill, connectModel } from '@agentbill/example-support'
import { withAgentBill } from '@agentbill/openai'
import { tokensPolicy } from '@agentbill/tokens'
import { AgentBill, BudgetExceededError } from 'agentbill'
import OpenAI, { OpenAIError } from 'openai'

const connection = await connectAgentBill()
const model = await connectModel()
const bill = new AgentBill({ apiKey: connection.apiKey, baseUrl: connection.baseUrl })

// Wrap the client you already have: every model call of the agent is estimated, preflighted
// with a hold, and recorded with its actual usage. One unit per 100 tokens keeps numbers small.
const openai = withAgentBill(new OpenAI({ apiKey: model.apiKey, baseURL: model.baseURL }), {
  client: bill,
  agentId: 'research-agent',
  customerId: 'acme',
  units: tokensPolicy({ tokensPerUnit: 100 }),
})

const searchDocs = {
  type: 'function' as const,
  function: {
    name: 'search_docs',
    description: 'Search the product documentation',
    parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
    parse: JSON.parse,
    function: ({ query }: { query: string }) =>
      `Docs on "${query.slice(0, 40)}": AgentBill checks budget before every model call.`,
  },
}

const questions = [
  'How do I cap what one agent run can spend?',
  'What happens when a customer runs out?',
  'How are retries billed?',
  'Can one client serve many customers?',
]
let runId = ''
try {
  // One run, one ceiling: every model call of every tool loop inside counts against 12 units.
  await bill.run({ agentId: 'research-agent', customerId: 'acme', ceiling: 12 }, async (run) => {
    runId = run.runId
    for (const question of questions) {
      const answer = await openai.chat.completions
        .runTools({
          model: model.model,
          max_tokens: 150,
          messages: [{ role: 'user', content: question }],
          tools: [searchDocs],
        })
        .finalContent()
      console.log(`Q: ${question}\nA: ${answer}\n`)
    }
  })
} catch (error) {
  // Inside runTools the SDK wraps our error in an OpenAIError; the cause is the AgentBill error.
  const cause = error instanceof OpenAIError ? error.cause : error
  if (!BudgetExceededError.isInstance(cause)) throw error
  console.log(
    `The run stopped at its ceiling: ${cause.reason}. The next model call was never made.\n`,
  )
}

const decisions = await bill.admin.decisions.list({ runId, limit: 200 })
const events = await bill.admin.events.list({ runId, limit: 200 })
for (const decision of [...decisions.data].reverse()) {
  // The run's own preflight opens it (a check, no hold); every model call holds its estimate.
  const what = decision.reservationId === null && decision.approved ? 'run opened' : 'model call'
  console.log(
    `  ${what}: ${decision.approved ? 'approved' : `BLOCKED (${decision.reason})`}, estimate ${decision.estimatedUnits} units`,
  )
}
const used = events.data.reduce((sum, event) => sum + event.units, 0)
console.log(
  `\nRun ${runId}: ${events.data.length} model calls recorded, ${used} units used of a 12-unit ceiling.`,
)
const balance = await bill.balance('acme')
console.log(
  `acme: used ${balance.usedUnits}, reserved ${balance.reservedUnits}, remaining ${balance.remainingUnits}`,
)

await model.close()
await connection.close()
