import { connectAgentBill } from '@agentbill/example-support'
import { serve } from '@hono/node-server'
import { AgentBill } from 'agentbill'
import Stripe from 'stripe'
import { createStripeTopupHandler } from './stripe-topup-handler'

// A test secret: the whole story runs offline. With real Stripe, use your endpoint's whsec_….
const endpointSecret = process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_agentbill_example_secret'
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? 'sk_test_agentbill_example')

const connection = await connectAgentBill()
const bill = new AgentBill({ apiKey: connection.apiKey, baseUrl: connection.baseUrl })
await bill.admin.project.update({
  upgradeUrl: 'https://example.com/buy-units?customer={customer_id}',
})
await bill.admin.customers.update('acme', { limitUnits: 50 })
await bill.record({ agentId: 'researcher', customerId: 'acme', units: 50 })

const blocked = await bill.preflight({
  agentId: 'researcher',
  customerId: 'acme',
  estimatedUnits: 20,
})
console.log(
  `acme wants 20 units: ${blocked.approved ? 'approved' : `blocked (${blocked.reason}), upgrade at ${blocked.upgradeUrl}`}`,
)

// The webhook endpoint your app would expose to Stripe.
const handler = createStripeTopupHandler({ bill, stripe, endpointSecret })
const webhookServer = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' })
await new Promise((resolve) => webhookServer.once('listening', resolve))
const address = webhookServer.address()
const webhookUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/webhooks/stripe`

// What Stripe sends when acme's checkout for 500 units is paid, signed with the endpoint secret.
const event = {
  id: 'evt_example_checkout_1',
  object: 'event',
  type: 'checkout.session.completed',
  data: {
    object: {
      id: 'cs_test_example_1',
      object: 'checkout.session',
      client_reference_id: 'acme',
      payment_status: 'paid',
      metadata: { agentbill_units: '500' },
    },
  },
}
const deliver = async (payload: string, signature: string) => {
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'stripe-signature': signature },
    body: payload,
  })
  return `${response.status} ${await response.text()}`
}
const payload = JSON.stringify(event)
const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: endpointSecret })
console.log(`Stripe delivers checkout.session.completed: ${await deliver(payload, signature)}`)
console.log(`Stripe redelivers the same event: ${await deliver(payload, signature)}`)
const tampered = payload.replace('"500"', '"500000"')
console.log(`A forged event with 500000 units: ${await deliver(tampered, signature)}`)

const approved = await bill.preflight({
  agentId: 'researcher',
  customerId: 'acme',
  estimatedUnits: 20,
})
const balance = await bill.balance('acme')
console.log(
  `acme wants 20 units again: ${approved.approved ? 'approved' : `blocked (${approved.reason})`}`,
)
console.log(
  `acme's balance: granted ${balance.grantedUnits}, used ${balance.usedUnits}, remaining ${balance.remainingUnits}`,
)

webhookServer.close()
await connection.close()
