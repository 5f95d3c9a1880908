// The guide "How to add billing to a LangChain agent" in ../README.md, as one program: every
// ```ts block of the guide appears here verbatim, in order (test/readme-guide.test.ts checks
// that, then runs this file against a real AgentBill server and a local OpenAI-compatible fake).
// Run it yourself with AGENTBILL_API_KEY (an admin key, for the last step) and OPENAI_API_KEY set.

import { AgentBillCallbackHandler } from '@agentbill/langchain'
import { ChatOpenAI } from '@langchain/openai'
import { AgentBill, BudgetExceededError } from 'agentbill'
import { createAgent, tool } from 'langchain'
import { z } from 'zod'

// Once, at start-up. Reads AGENTBILL_API_KEY (and AGENTBILL_BASE_URL).
const bill = new AgentBill()
const billing = new AgentBillCallbackHandler({
  client: bill,
  agentId: 'research-assistant',
  ceiling: 20, // the most units one run of the agent may use
})

const search = tool(async ({ query }) => `Three articles about ${query}.`, {
  name: 'search',
  description: 'Search the web',
  schema: z.object({ query: z.string() }),
})
const agent = createAgent({
  model: new ChatOpenAI({ model: 'gpt-4o-mini', maxTokens: 500 }),
  tools: [search],
})

async function answer(customerId: string, question: string): Promise<string> {
  try {
    const result = await agent.invoke(
      { messages: [{ role: 'user', content: question }] },
      { callbacks: [billing], metadata: { agentbill_customer_id: customerId } },
    )
    return result.messages.at(-1)?.text ?? ''
  } catch (error) {
    if (BudgetExceededError.isInstance(error)) {
      return `You are out of credits: ${error.upgradeUrl ?? 'please top up'}`
    }
    throw error
  }
}

console.log(await answer('user_42', 'What changed in LangChain 1.0?'))

const balance = await bill.balance('user_42')
console.log(`user_42 has used ${balance.usedUnits} of ${balance.grantedUnits} units`)

await bill.admin.customers.update('user_7', { limitUnits: 0 })
console.log(await answer('user_7', 'Anything new?'))

await bill.flush({ timeoutMs: 5000 })
