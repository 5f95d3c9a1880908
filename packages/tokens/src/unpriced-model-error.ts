import { hasMarker, TokensError } from './tokens-error'

const marker = 'agentbill.error.UnpricedModelError'
const symbol = Symbol.for(marker)

/**
 * The `usd` units policy was asked to price a model that has no entry in the price table (and
 * no `prices` override). Thrown instead of pricing the call at $0.
 *
 * Because adapters apply the policy to the estimate before the provider is called, this
 * surfaces at preflight, before any tokens are spent.
 */
export class UnpricedModelError extends TokensError {
  readonly [symbol] = true
  /** The model id as it was given. */
  readonly model: string

  constructor(model: string) {
    super(
      `No list price is known for model "${model}": add it with usdPolicy({ prices: { '${model}': { input, cachedInput, output } } }) or pass usdPolicy({ onUnpriced: <policy> }).`,
    )
    this.name = 'UnpricedModelError'
    this.model = model
  }

  /** @param error - any thrown value */
  static override isInstance(error: unknown): error is UnpricedModelError {
    return hasMarker(error, marker)
  }
}
