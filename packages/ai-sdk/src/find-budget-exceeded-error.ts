import { BudgetExceededError } from 'agentbill'

/**
 * Finds the `BudgetExceededError` in an error the AI SDK hands you: the error itself, or the one it
 * wraps (`RetryError.lastError` when a retry was blocked, an error's `cause`).
 * @returns the budget error, or `undefined` when the failure had another cause.
 * @example
 * streamText({ model, prompt, onError: ({ error }) => {
 *   const blocked = findBudgetExceededError(error)
 *   if (blocked) log.info('out of budget', blocked.customerId, blocked.upgradeUrl)
 * } })
 */
export function findBudgetExceededError(error: unknown): BudgetExceededError | undefined {
  let current: unknown = error
  // A few levels suffice: the SDK wraps at most twice (a RetryError around a cause).
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (BudgetExceededError.isInstance(current)) return current
    const wrapper = current as { lastError?: unknown; cause?: unknown }
    current = wrapper.lastError ?? wrapper.cause
  }
  return undefined
}
