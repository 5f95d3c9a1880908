import { AgentBillError, hasMarker } from './agent-bill-error'

const marker = Symbol.for('agentbill.error.webhook-verification')

/**
 * A webhook delivery failed verification: no or malformed `AgentBill-Signature`, a signature that
 * does not match the body and your endpoint's secret, a timestamp outside the tolerance (a
 * replay), or a body that is not an event. Answer it with a 400 and do not act on the body.
 */
export class AgentBillWebhookVerificationError extends AgentBillError {
  protected readonly [marker] = true

  constructor(message: string) {
    super(message)
    this.name = 'AgentBillWebhookVerificationError'
  }

  static override isInstance(error: unknown): error is AgentBillWebhookVerificationError {
    return hasMarker(error, marker)
  }
}
