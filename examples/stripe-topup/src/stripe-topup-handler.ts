import type { AgentBill } from 'agentbill'
import type Stripe from 'stripe'

/** Options of {@link createStripeTopupHandler}. */
export interface StripeTopupOptions {
  /** An AgentBill client with an `admin` key (grants are a management call). */
  bill: AgentBill
  /** A Stripe client; only its local signature check is used, nothing goes over the network. */
  stripe: Stripe
  /** The endpoint's signing secret (`whsec_…`), from the Stripe dashboard or `stripe listen`. */
  endpointSecret: string
}

/**
 * A webhook endpoint (a web-standard `Request → Response` handler: Next.js route handlers, Hono,
 * Workers) that turns a paid Stripe Checkout into AgentBill units. Put the customer's id in the
 * session's `client_reference_id` and the units bought in `metadata.agentbill_units` when you
 * create the session.
 *
 * The grant's idempotency key is the Stripe event id, so Stripe's redeliveries of one event
 * grant once. A bad signature is a 400 and grants nothing.
 */
export function createStripeTopupHandler(
  options: StripeTopupOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const payload = await request.text()
    let event: Stripe.Event
    try {
      event = await options.stripe.webhooks.constructEventAsync(
        payload,
        request.headers.get('stripe-signature') ?? '',
        options.endpointSecret,
      )
    } catch (error) {
      return Response.json(
        { error: `Signature check failed: ${(error as Error).message}` },
        { status: 400 },
      )
    }
    if (event.type !== 'checkout.session.completed')
      return Response.json({ received: true, ignored: event.type })
    const session = event.data.object
    if (session.payment_status !== 'paid')
      return Response.json({ received: true, ignored: 'unpaid' })
    const customerId = session.client_reference_id
    const units = Number(session.metadata?.agentbill_units)
    if (customerId === null || !Number.isSafeInteger(units) || units <= 0) {
      // Answer 200 so Stripe stops retrying a session this endpoint can never grant; log it instead.
      console.error(`Checkout ${session.id} names no customer or units; nothing granted`)
      return Response.json({ received: true, ignored: 'no agentbill customer or units' })
    }
    const grant = await options.bill.admin.grants.create(customerId, {
      units,
      reason: `Stripe checkout ${session.id}`,
      idempotencyKey: event.id,
    })
    return Response.json({ received: true, grant: grant.id })
  }
}
