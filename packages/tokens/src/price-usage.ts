import { InvalidArgumentError } from './invalid-argument-error'
import { normalizeUsage } from './normalize-usage'
import type { NormalizedUsage } from './normalized-usage'
import { defaultPolicy } from './tokens-policy'
import { applyPolicy, type UnitsPolicy } from './units-policy'

/** Input of {@link priceUsage}. */
export interface PriceUsageRequest {
  /** The model id the call used (as reported by the provider when available). */
  model: string
  /** Usage in any shape {@link normalizeUsage} accepts. */
  usage: unknown
  /** @default defaultPolicy (one unit per 1,000 tokens) */
  policy?: UnitsPolicy
  /**
   * Totals to use when the provider did not report them, e.g. the estimate's prompt tokens and
   * an output meter's count.
   * @default {}
   */
  fallback?: Partial<NormalizedUsage>
}

/** Result of {@link priceUsage}: what to send to `record`. */
export interface PricedUsage {
  usage: NormalizedUsage
  units: number
}

/**
 * After a call: normalise the provider's usage and turn it into units — the one call an adapter
 * makes before `record`.
 * @throws {InvalidArgumentError} `usage` when no token count is recognised and no fallback given;
 *   `policy` when the policy returns something other than a non-negative integer
 * @throws {UnpricedModelError} from the `usd` policy for an unpriced model
 * @example priceUsage({ model: 'gpt-4o', usage: response.usage, policy: usd })
 */
export function priceUsage(request: PriceUsageRequest): PricedUsage {
  const usage = normalizeUsage(request.usage, { fallback: request.fallback ?? {} })
  if (usage === undefined) {
    throw new InvalidArgumentError(
      'usage',
      'no token counts recognised (expected OpenAI, AI SDK or LangChain usage) and no fallback given',
    )
  }
  return { usage, units: applyPolicy(request.policy ?? defaultPolicy, usage, request.model) }
}
