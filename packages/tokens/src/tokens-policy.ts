import { InvalidArgumentError } from './invalid-argument-error'
import type { UnitsPolicy } from './units-policy'

/** Options of {@link tokensPolicy}. */
export interface TokensPolicyOptions {
  /**
   * Tokens (input + output) per unit; a partial unit is rounded up.
   * @default 1000
   */
  tokensPerUnit?: number
}

/**
 * One unit per `tokensPerUnit` tokens of input plus output (cached and reasoning tokens are
 * inside those totals), rounded up: 1 token → 1 unit, 1,000 → 1, 1,001 → 2, 0 → 0.
 * @throws {InvalidArgumentError} `tokensPerUnit` when not a positive integer
 * @example tokensPolicy({ tokensPerUnit: 100 })
 */
export function tokensPolicy(options: TokensPolicyOptions = {}): UnitsPolicy {
  const tokensPerUnit = options.tokensPerUnit ?? 1000
  if (!Number.isSafeInteger(tokensPerUnit) || tokensPerUnit <= 0) {
    throw new InvalidArgumentError(
      'tokensPerUnit',
      `expected a positive integer, got ${String(tokensPerUnit)}`,
    )
  }
  return (usage) => Math.ceil((usage.inputTokens + usage.outputTokens) / tokensPerUnit)
}

/** The default policy: one unit per 1,000 tokens (input + output), rounded up. */
export const defaultPolicy: UnitsPolicy = tokensPolicy()
