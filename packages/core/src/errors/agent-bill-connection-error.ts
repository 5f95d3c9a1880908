import { AgentBillError, hasMarker } from './agent-bill-error'

const marker = Symbol.for('agentbill.error.connection')

/** The AgentBill server could not be reached (refused, reset, DNS failure), after every retry. */
export class AgentBillConnectionError extends AgentBillError {
  protected readonly [marker] = true

  constructor(
    message = 'Could not connect to the AgentBill server',
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'AgentBillConnectionError'
  }

  static override isInstance(error: unknown): error is AgentBillConnectionError {
    return hasMarker(error, marker)
  }
}
