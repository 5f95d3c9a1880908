import { AgentBillError, hasMarker } from './agent-bill-error'

const marker = Symbol.for('agentbill.error.validation')

/**
 * An argument was rejected by the client before any request was sent (a fraction where units
 * must be an integer, an empty agent id, an unknown option). Nothing was sent and nothing changed.
 */
export class AgentBillValidationError extends AgentBillError {
  protected readonly [marker] = true
  /** The argument at fault, as the caller spelled it (`estimatedUnits`, `metadata`). */
  readonly param: string

  constructor(param: string, message: string) {
    super(`Invalid ${param}: ${message}`)
    this.name = 'AgentBillValidationError'
    this.param = param
  }

  static override isInstance(error: unknown): error is AgentBillValidationError {
    return hasMarker(error, marker)
  }
}
