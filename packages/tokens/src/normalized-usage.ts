/**
 * Token usage of one model call in one shape, whatever the provider or framework reported.
 *
 * Totals are inclusive: `inputTokens` includes `cachedInputTokens` (cache reads and writes
 * included), and `outputTokens` includes `reasoningTokens`. All four are non-negative integers.
 */
export interface NormalizedUsage {
  /** All prompt tokens, cached ones included. */
  inputTokens: number
  /** Prompt tokens served from the provider's cache (a subset of `inputTokens`). */
  cachedInputTokens: number
  /** All generated tokens, hidden reasoning included. */
  outputTokens: number
  /** Hidden reasoning tokens (a subset of `outputTokens`). */
  reasoningTokens: number
}
