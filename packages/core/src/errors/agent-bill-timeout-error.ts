import { AgentBillConnectionError } from './agent-bill-connection-error'
import { hasMarker } from './agent-bill-error'

const marker = Symbol.for('agentbill.error.timeout')

/**
 * The AgentBill server did not answer within `timeoutMs`, after every retry. A timeout is a kind
 * of connection failure, so `AgentBillConnectionError.isInstance` is also true for it.
 */
export class AgentBillTimeoutError extends AgentBillConnectionError {
  protected readonly [marker] = true

  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(`The AgentBill server did not answer within ${timeoutMs} ms`, options)
    this.name = 'AgentBillTimeoutError'
  }

  static override isInstance(error: unknown): error is AgentBillTimeoutError {
    return hasMarker(error, marker)
  }
}
