const marker = 'agentbill.error'
const symbol = Symbol.for(marker)

/**
 * Base class of the errors this package throws.
 *
 * It carries the same `Symbol.for('agentbill.error')` marker as the core package's
 * `AgentBillError`, so `AgentBillError.isInstance(error)` style checks work across duplicated
 * copies of either package. It stays local so `@agentbill/tokens` has no runtime dependency.
 */
export class TokensError extends Error {
  readonly [symbol] = true

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TokensError'
  }

  /**
   * Checks for the shared AgentBill error marker rather than `instanceof`, so it also recognises
   * errors from another copy of the package.
   * @param error - any thrown value
   */
  static isInstance(error: unknown): error is TokensError {
    return hasMarker(error, marker)
  }
}

/** @internal Checks a `Symbol.for(name)` marker on a thrown value. */
export function hasMarker(error: unknown, name: string): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    Symbol.for(name) in error &&
    (error as Record<symbol, unknown>)[Symbol.for(name)] === true
  )
}
