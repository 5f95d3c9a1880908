import { AllowanceExceededError } from 'agentbill'
import { findBudgetExceededError } from './find-budget-exceeded-error'

/**
 * An `onError` for `toUIMessageStream` / `toUIMessageStreamResponse`: the SDK masks every error
 * sent to the browser as "An error occurred."; this lets AgentBill's own errors through with their
 * message — a call blocked by the budget (who ran out, and the upgrade URL) or a stream stopped at
 * its allowance — so `useChat`'s `error.message` can say so. Any other error
 * is passed to `fallback`.
 *
 * @param error - the error the SDK hands to `onError`
 * @param fallback - the text for other errors
 * @default fallback () => 'An error occurred.' (the SDK's own masking)
 * @example
 * return result.toUIMessageStreamResponse({ onError: budgetErrorMessage })
 */
export function budgetErrorMessage(
  error: unknown,
  fallback: (error: unknown) => string = () => 'An error occurred.',
): string {
  if (AllowanceExceededError.isInstance(error)) return error.message
  return findBudgetExceededError(error)?.message ?? fallback(error)
}
