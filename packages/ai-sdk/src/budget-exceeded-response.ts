import type { BudgetExceededError } from 'agentbill'

/** The JSON body of {@link budgetExceededResponse}, in the AgentBill API's error shape. */
export interface BudgetExceededBody {
  error: {
    type: 'budget_exceeded'
    message: string
    /** `budget_exhausted`, `ceiling_exceeded` or `unavailable`. */
    reason: BudgetExceededError['reason']
    customer_id: string | null
    remaining_units: number | null
    upgrade_url: string | null
    run_id: string | null
  }
}

/**
 * A `402 Payment Required` response for a blocked call, for route handlers: JSON in the AgentBill
 * API's error shape, with the reason and the upgrade URL the client can show.
 *
 * @param error - the `BudgetExceededError` (from {@link waitForBudget}, or a `generateText` that rejected)
 * @param init - more headers, or another status
 * @example
 * const blocked = await waitForBudget(result)
 * if (blocked) return budgetExceededResponse(blocked)
 */
export function budgetExceededResponse(
  error: BudgetExceededError,
  init: ResponseInit = {},
): Response {
  const body: BudgetExceededBody = {
    error: {
      type: 'budget_exceeded',
      message: error.message,
      reason: error.reason,
      customer_id: error.customerId,
      remaining_units: error.remainingUnits,
      upgrade_url: error.upgradeUrl,
      run_id: error.runId,
    },
  }
  const headers = new Headers(init.headers)
  headers.set('content-type', 'application/json')
  return new Response(JSON.stringify(body), { ...init, status: init.status ?? 402, headers })
}
