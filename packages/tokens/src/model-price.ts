import { bareModelId, modelIdCandidates } from './model-id'
import { type ModelPrice, PRICE_TABLE } from './price-table'

/**
 * The list price of a model, or `undefined` when it is unpriced (never a $0 price).
 * @param model - any model id; provider prefixes and snapshot suffixes are ignored
 * @param prices - extra or overriding rows, checked before the built-in table
 * @example getModelPrice('gpt-4o-2024-08-06') // { input: 2.5, cachedInput: 1.25, output: 10 }
 */
export function getModelPrice(
  model: string,
  prices?: Readonly<Record<string, ModelPrice>>,
): ModelPrice | undefined {
  // Exact user keys first, so a user can price one snapshot differently from its alias.
  const own = ownRow(prices, model)
  if (own !== undefined) return own
  for (const candidate of modelIdCandidates(bareModelId(model))) {
    const row = ownRow(prices, candidate) ?? ownRow(PRICE_TABLE, candidate)
    if (row !== undefined) return row
  }
  return undefined
}

// Own keys only: a model called "constructor" must not find Object.prototype.constructor.
function ownRow(
  table: Readonly<Record<string, ModelPrice>> | undefined,
  key: string,
): ModelPrice | undefined {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined
}
