import { AgentBillError, type GatedCall } from 'agentbill'

const marker = Symbol.for('agentbill.error.allowance-exceeded')

/** Which limit a stopped stream reached. */
export type AllowanceLimit = 'ceiling_exceeded' | 'budget_exhausted'

/**
 * A streamed model call was stopped because its output was about to pass what the call may use
 * (`GatedCall.allowanceUnits`): the run's ceiling or the customer's budget. The request was
 * aborted, what had streamed was recorded (`usedUnits`), and the stream ended with this error.
 * Unlike `BudgetExceededError` (thrown before anything is spent), this call did spend.
 *
 * Inside the SDK's stream helpers (`chat.completions.stream`, `runTools`, `responses.stream`)
 * the SDK wraps errors that are not its own in an `OpenAIError` whose `cause` is this error:
 * check `AllowanceExceededError.isInstance(error.cause)` there.
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
        reason === 'ceiling_exceeded' ? "the run's ceiling" : "the customer's budget"
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
