import { connectAgentBill, connectModel } from '@agentbill/example-support'
import { AgentBillCallbackHandler } from '@agentbill/langchain'
import { tokensPolicy } from '@agentbill/tokens'
import { ChatOpenAI } from '@langchain/openai'
import { AgentBill, BudgetExceededError } from 'agentbill'
import { createAgent, tool } from 'langchain'
import { z } from 'zod'

const connection = await connectAgentBill()
const model = await connectModel()
const bill = new AgentBill({ apiKey: connection.apiKey, baseUrl: connection.baseUrl })

// One handler for every customer and every run; one unit per 100 tokens keeps numbers small.
const billing = new AgentBillCallbackHandler({
  client: bill,
  agentId: 'support-agent',
  ceiling: 10, // the most units one run may use
  units: tokensPolicy({ tokensPerUnit: 100 }),
})
const lookupOrder = tool(
  async ({ orderId }) => `Order ${orderId.slice(0, 30)}: shipped yesterday, arrives Monday.`,
  {
    name: 'lookup_order',
    description: 'Look up an order by its id',
    schema: z.object({ orderId: z.string() }),
  },
)
const agent = createAgent({
  model: new ChatOpenAI({
    model: model.model,
    maxTokens: 200,
    apiKey: model.apiKey,
    ...(model.baseURL === undefined ? {} : { configuration: { baseURL: model.baseURL } }),
  }),
  tools: [lookupOrder],
})

// A support conversation is one run: every model call of every turn counts against its ceiling.
const runId = `support-ticket-${Date.now()}`
const turns = [
  'Where is order 1042?',
  'And order 2210?',
  'Can you check order 3307 too?',
  'What about 4410?',
  'Last one: 5123?',
]
for (const [index, question] of turns.entries()) {
  try {
    const result = await agent.invoke(
      { messages: [{ role: 'user', content: question }] },
      {
        callbacks: [billing],
        metadata: { agentbill_customer_id: 'acme', agentbill_run_id: runId },
      },
    )
    console.log(`turn ${index + 1}: ${result.messages.at(-1)?.text}`)
  } catch (error) {
    if (!BudgetExceededError.isInstance(error)) throw error
    console.log(
      `turn ${index + 1}: stopped — ${error.reason}; the model call that would pass the ceiling was never made.`,
    )
    break
  }
}

const events = await bill.admin.events.list({ runId, limit: 200 })
const decisions = await bill.admin.decisions.list({ runId, limit: 200 })
const used = events.data.reduce((sum, event) => sum + event.units, 0)
console.log(
  `\nrun ${runId}: ${events.data.length} model calls recorded (${used} units of a 10-unit ceiling), ${decisions.data.filter((decision) => !decision.approved).length} blocked.`,
)
const balance = await bill.balance('acme')
console.log(
  `acme: used ${balance.usedUnits}, held ${balance.reservedUnits}, remaining ${balance.remainingUnits}`,
)

await model.close()
await connection.close()
