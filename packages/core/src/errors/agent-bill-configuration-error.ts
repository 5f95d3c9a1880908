import { AgentBillError, hasMarker } from './agent-bill-error'

const marker = Symbol.for('agentbill.error.configuration')

/** The client was constructed without something it needs, such as an API key. */
export class AgentBillConfigurationError extends AgentBillError {
  protected readonly [marker] = true

  constructor(message: string) {
    super(message)
    this.name = 'AgentBillConfigurationError'
  }

  static override isInstance(error: unknown): error is AgentBillConfigurationError {
    return hasMarker(error, marker)
  }
}
