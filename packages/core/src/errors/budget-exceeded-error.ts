import type { BlockReason, PreflightBlocked } from '../resources/preflight'
import { AgentBillError, hasMarker } from './agent-bill-error'

const marker = Symbol.for('agentbill.error.budget-exceeded')

/**
 * A run was blocked before it spent anything: the customer's budget is exhausted, the run's
 * ceiling would be passed, or (fail mode `closed`) the server could not be reached. Adapters throw
 * it before the model is called; `bill.run` throws it before the function runs.
 */
export class BudgetExceededError extends AgentBillError {
  protected readonly [marker] = true
  /** Why the run was blocked. */
  readonly reason: BlockReason
  /** What the customer has left (`null`: unlimited, or the server was unreachable). */
  readonly remainingUnits: number | null
  /** The units the blocked call asked for. */
  readonly estimatedUnits: number
  /** Where the customer can buy more, when the project has an upgrade URL. */
  readonly upgradeUrl: string | null
  /** The run that was blocked, if it had an id. */
  readonly runId: string | null
  /** The stored decision (`dec_…`), or `null` when the server was unreachable. */
  readonly preflightId: string | null
  /** The customer whose budget blocked the run. */
  readonly customerId: string | null
  /** The agent that was blocked. */
  readonly agentId: string | null

  constructor(
    preflight: Pick<
      PreflightBlocked,
      | 'reason'
      | 'remainingUnits'
      | 'estimatedUnits'
      | 'upgradeUrl'
      | 'runId'
      | 'preflightId'
      | 'error'
    >,
    context: { customerId?: string | null; agentId?: string | null } = {},
  ) {
    super(
      describe(preflight, context.customerId ?? null),
      preflight.error ? { cause: preflight.error } : undefined,
    )
    this.name = 'BudgetExceededError'
    this.reason = preflight.reason
    this.remainingUnits = preflight.remainingUnits
    this.estimatedUnits = preflight.estimatedUnits
    this.upgradeUrl = preflight.upgradeUrl
    this.runId = preflight.runId
    this.preflightId = preflight.preflightId
    this.customerId = context.customerId ?? null
    this.agentId = context.agentId ?? null
  }

  static override isInstance(error: unknown): error is BudgetExceededError {
    return hasMarker(error, marker)
  }
}

function describe(
  preflight: Pick<PreflightBlocked, 'reason' | 'remainingUnits' | 'estimatedUnits' | 'upgradeUrl'>,
  customerId: string | null,
): string {
  const who = customerId === null ? 'the customer' : `customer ${JSON.stringify(customerId)}`
  const upgrade = preflight.upgradeUrl === null ? '' : ` Upgrade: ${preflight.upgradeUrl}`
  switch (preflight.reason) {
    case 'ceiling_exceeded':
      return `Blocked: ${preflight.estimatedUnits} more units would pass the run's ceiling.${upgrade}`
    case 'unavailable':
      return 'Blocked: the AgentBill server could not be reached and failMode is "closed".'
    default:
      return `Blocked: ${who} has ${preflight.remainingUnits ?? 0} units left, ${preflight.estimatedUnits} needed.${upgrade}`
  }
}
