import { AgentBillError, type GatedCall } from 'agentbill'

// The same marker as `@agentbill/openai`'s error of the same name, so either package's
// `isInstance` recognises a stream stopped by the other.
const marker = Symbol.for('agentbill.error.allowance-exceeded')

/** Which limit a stopped stream reached. */
export type AllowanceLimit = 'ceiling_exceeded' | 'budget_exhausted'

/**
 * A streamed model call was ended because its output was about to pass what the call may use
 * (`GatedCall.allowanceUnits`): the run's ceiling or the customer's budget. The provider's stream
 * was cancelled, what had streamed was recorded (`usedUnits`), and the stream ended with an
 * `error` part holding this error (it reaches `streamText`'s `onError` and `fullStream`). Unlike
 * `BudgetExceededError`, thrown before anything is spent, this call did spend.
 */
export class AllowanceExceededError extends AgentBillError {
  protected readonly [marker] = true
  /** The limit that stopped the stream. */
  readonly reason: AllowanceLimit
  /** The units the call was allowed in all (its hold plus what the limits still allowed). */
  readonly allowanceUnits: number
  /** The units recorded for what streamed before the stop. */
  readonly usedUnits: number
  readonly customerId: string
  readonly agentId: string
  /** The run the call belonged to, or `null`. */
  readonly runId: string | null

  constructor(call: GatedCall, usedUnits: number) {
    const reason = limitOf(call)
    super(
      `Stopped: this stream reached its allowance of ${call.allowanceUnits} units (${
        reason === 'ceiling_exceeded'
          ? "the run's ceiling"
          : `the budget of customer ${JSON.stringify(call.customerId)}`
      }); ${usedUnits} units were recorded for what streamed.`,
    )
    this.name = 'AllowanceExceededError'
    this.reason = reason
    this.allowanceUnits = call.allowanceUnits
    this.usedUnits = usedUnits
    this.customerId = call.customerId
    this.agentId = call.agentId
    this.runId = call.runId
  }

  /** Whether `error` is an `AllowanceExceededError` from any copy of the package. */
  static override isInstance(error: unknown): error is AllowanceExceededError {
    return (
      typeof error === 'object' &&
      error !== null &&
      marker in error &&
      (error as Record<symbol, unknown>)[marker] === true
    )
  }
}

function limitOf(call: GatedCall): AllowanceLimit {
  const { remainingUnits, runRemainingUnits } = call.preflight
  if (runRemainingUnits === null) return 'budget_exhausted'
  return remainingUnits === null || runRemainingUnits <= remainingUnits
    ? 'ceiling_exceeded'
    : 'budget_exhausted'
}
