import { getModelPrice } from './model-price'
import type { ModelPrice } from './price-table'
import { ceilDivide, checkNumber, type UnitsPolicy } from './units-policy'
import { UnpricedModelError } from './unpriced-model-error'

/** Options of {@link usdPolicy}. */
export interface UsdPolicyOptions {
  /**
   * Extra or overriding prices (USD per 1M tokens), keyed by model id; checked before the
   * built-in table.
   * @default {}
   */
  prices?: Readonly<Record<string, ModelPrice>>
  /**
   * US dollars per unit.
   * @default 0.001
   */
  usdPerUnit?: number
  /**
   * What to do with a model that has no price: `'throw'` an {@link UnpricedModelError}, or bill
   * it with another policy (for example `tokensPolicy()`).
   * @default 'throw'
   */
  onUnpriced?: 'throw' | UnitsPolicy
}

/**
 * Bills the model's list price: uncached input at the input price, cached input at the cached
 * price, output (reasoning included) at the output price; 1 unit = $0.001 by default, rounded up
 * to a whole unit. Prices are converted to integer micro-dollars per million tokens and summed as
 * integers, so the result has no floating-point drift.
 *
 * An unpriced model throws {@link UnpricedModelError} by default — adapters apply the policy to
 * the preflight estimate, so this happens before the provider is called. Never priced at $0.
 * @throws {InvalidArgumentError} `usdPerUnit` or a price that is negative or not finite
 * @example usdPolicy({ prices: { 'my-finetune': { input: 3, output: 12 } } })
 */
export function usdPolicy(options: UsdPolicyOptions = {}): UnitsPolicy {
  const usdPerUnit = checkNumber('usdPerUnit', options.usdPerUnit ?? 0.001, true)
  // USD per unit in pico-dollars (1e-12), so one unit at micro-dollar precision stays integral.
  const picoPerUnit = BigInt(Math.round(usdPerUnit * 1e12))
  const onUnpriced = options.onUnpriced ?? 'throw'
  for (const [model, price] of Object.entries(options.prices ?? {})) checkPrice(model, price)
  return (usage, model) => {
    const price = getModelPrice(model, options.prices)
    if (price === undefined) {
      if (onUnpriced === 'throw') throw new UnpricedModelError(model)
      return onUnpriced(usage, model)
    }
    const cached = BigInt(usage.cachedInputTokens)
    // tokens × (micro-USD per 1M tokens) = pico-USD
    const pico =
      (BigInt(usage.inputTokens) - cached) * micro(price.input) +
      cached * micro(price.cachedInput ?? price.input) +
      BigInt(usage.outputTokens) * micro(price.output)
    return ceilDivide(pico, picoPerUnit)
  }
}

/** The `usd` policy with default options: list price, 1 unit = $0.001, unpriced models throw. */
export const usd: UnitsPolicy = usdPolicy()

function micro(usdPerMillion: number): bigint {
  return BigInt(Math.round(usdPerMillion * 1e6))
}

function checkPrice(model: string, price: ModelPrice): void {
  checkNumber(`prices["${model}"].input`, price.input)
  checkNumber(`prices["${model}"].output`, price.output)
  if (price.cachedInput !== undefined)
    checkNumber(`prices["${model}"].cachedInput`, price.cachedInput)
}
