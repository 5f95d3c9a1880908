import type { GatedCall } from '../gated-call'
import { AgentBillError, hasMarker } from './agent-bill-error'

const marker = Symbol.for('agentbill.error.allowance-exceeded')

/** Which limit a stopped stream reached. */
export type AllowanceLimit = 'ceiling_exceeded' | 'budget_exhausted'

/**
 * A streamed model call was stopped because its output was about to pass what the call may use
 * (`GatedCall.allowanceUnits`): the run's ceiling or the customer's budget. The provider's stream
 * was cancelled, what had streamed was recorded (`usedUnits`), and the stream ended with this
 * error. Unlike {@link BudgetExceededError} (thrown before anything is spent), this call did spend.
 * Every adapter stops streams with it: `@agentbill/openai`, `@agentbill/ai-sdk`,
 * `@agentbill/langchain`.
 */
export class AllowanceExceededError extends AgentBillError {
  protected readonly [marker] = true
  /** The limit that stopped the stream. */
  readonly reason: AllowanceLimit
  /** The units the call was allowed in all (its hold plus what the limits still allowed). */
  readonly allowanceUnits: number
  /** The units counted for what streamed before the stop. */
  readonly usedUnits: number
  readonly customerId: string
  readonly agentId: string
  /** The run the call belonged to, or `null`. */
  readonly runId: string | null

  /**
   * @param call - the gated call whose stream was stopped.
   * @param usedUnits - the units counted for what streamed.
   */
  constructor(call: GatedCall, usedUnits: number) {
    const reason = limitOf(call)
    const limit =
      reason === 'ceiling_exceeded'
        ? "the run's ceiling"
        : `the budget of customer ${JSON.stringify(call.customerId)}`
    super(
      `Stopped: this stream reached its allowance of ${call.allowanceUnits} units (${limit}); ${usedUnits} units were used by what streamed.`,
    )
    this.name = 'AllowanceExceededError'
    this.reason = reason
    this.allowanceUnits = call.allowanceUnits
    this.usedUnits = usedUnits
    this.customerId = call.customerId
    this.agentId = call.agentId
    this.runId = call.runId
  }

  static override isInstance(error: unknown): error is AllowanceExceededError {
    return hasMarker(error, marker)
  }
}

/** The tighter of the two limits: the run's ceiling when it leaves less than the budget. */
function limitOf(call: GatedCall): AllowanceLimit {
  const { remainingUnits, runRemainingUnits } = call.preflight
  if (runRemainingUnits === null) return 'budget_exhausted'
  return remainingUnits === null || runRemainingUnits <= remainingUnits
    ? 'ceiling_exceeded'
    : 'budget_exhausted'
}
