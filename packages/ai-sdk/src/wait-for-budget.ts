import type { BudgetExceededError } from 'agentbill'
import { findBudgetExceededError } from './find-budget-exceeded-error'

/** What {@link waitForBudget} needs of a `streamText` or `streamObject` result. */
export interface StreamResultLike {
  readonly fullStream: ReadableStream<{ readonly type: string; readonly error?: unknown }>
}

/**
 * Waits until the first model call of a `streamText` (or `streamObject`) result has passed or
 * failed its preflight, so a route handler can answer `402` before it starts streaming.
 *
 * `streamText` does not throw: a call blocked by the middleware becomes an `error` part in the
 * stream (and `toUIMessageStreamResponse()` would answer `200`). This reads a copy of the result's
 * stream up to its first part from the model: an `error` part holding a `BudgetExceededError`
 * means the call was blocked — nothing reached the model. The result stays whole for every other
 * reader (the SDK keeps a replay of its stream); not for `experimental_streamTextLowMemory`,
 * whose single stream this would claim.
 *
 * @returns the `BudgetExceededError` when the first call was blocked, else `undefined` (also when
 *   it failed for another reason: the stream will carry that error).
 * @example
 * const result = streamText({ model, messages, providerOptions: { agentbill: { customerId } } })
 * const blocked = await waitForBudget(result)
 * if (blocked) return budgetExceededResponse(blocked)
 * return result.toUIMessageStreamResponse({ onError: budgetErrorMessage })
 */
export async function waitForBudget(
  result: StreamResultLike,
): Promise<BudgetExceededError | undefined> {
  const reader = result.fullStream.getReader()
  try {
    while (true) {
      const next = await reader.read()
      if (next.done) return undefined
      // `start` comes before any model call; the next part is either the first call's error or
      // its output (`start-step`, or `object`/`text-delta` for streamObject).
      if (next.value.type === 'start') continue
      return next.value.type === 'error' ? findBudgetExceededError(next.value.error) : undefined
    }
  } finally {
    // Stops this copy only; the result's other readers are unaffected.
    reader.cancel().catch(() => undefined)
  }
}
