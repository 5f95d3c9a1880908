const marker = Symbol.for('agentbill.error')

/**
 * The base class of every error the AgentBill packages throw.
 *
 * Use `AgentBillError.isInstance(error)` (or the subclass's own `isInstance`) rather than
 * `instanceof`: it also recognises errors from another copy of the package (two versions in one
 * `node_modules`, or the ESM and CJS builds loaded side by side).
 */
export class AgentBillError extends Error {
  protected readonly [marker] = true

  /**
   * @param message - what went wrong, for a person reading a log.
   * @param options - `cause`: the underlying error, kept for debugging.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AgentBillError'
  }

  /** Whether `error` is an `AgentBillError` from any copy of the package. */
  static isInstance(error: unknown): error is AgentBillError {
    return hasMarker(error, marker)
  }
}

/** Whether `error` carries `symbol` as an own or inherited property set to `true`. */
export function hasMarker(error: unknown, symbol: symbol): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    symbol in error &&
    (error as Record<symbol, unknown>)[symbol] === true
  )
}
