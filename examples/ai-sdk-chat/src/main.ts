import { connectAgentBill, connectModel } from '@agentbill/example-support'
import { serve } from '@hono/node-server'
import { AgentBill } from 'agentbill'
import { createChatRoute } from './chat-route'

const connection = await connectAgentBill()
const model = await connectModel()
const bill = new AgentBill({ apiKey: connection.apiKey, baseUrl: connection.baseUrl })
await bill.admin.project.update({
  upgradeUrl: 'https://example.com/upgrade?customer={customer_id}',
})

const route = createChatRoute({
  bill,
  openai: { apiKey: model.apiKey, baseURL: model.baseURL },
  model: model.model,
})
const server = serve({ fetch: route, port: 0, hostname: '127.0.0.1' })
await new Promise((resolve) => server.once('listening', resolve))
const address = server.address()
const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/api/chat`

const ask = async (customerId: string, prompt: string) => {
  const response = await fetch(url, {
    method: 'POST',
    body: JSON.stringify({ customerId, prompt }),
  })
  console.log(
    `POST /api/chat as ${customerId} → ${response.status} ${response.headers.get('content-type')}`,
  )
  console.log(`  ${await response.text()}`)
}

await ask('alice', 'What does AgentBill do before a model call?')
await bill.admin.customers.update('bob', { limitUnits: 0 })
await ask('bob', 'And what if I have no budget left?')

const alice = await bill.balance('alice')
const bob = await bill.admin.decisions.list({ customerId: 'bob' })
console.log(
  `alice used ${alice.usedUnits} units; bob's preflight: ${bob.data[0]?.approved ? 'approved' : `blocked (${bob.data[0]?.reason})`}, the model was never called.`,
)

server.close()
await model.close()
await connection.close()
