import { hasMarker, TokensError } from './tokens-error'

const marker = 'agentbill.error.InvalidArgumentError'
const symbol = Symbol.for(marker)

/** An argument had the wrong type or range; `field` names it (for example `maxOutputTokens`). */
export class InvalidArgumentError extends TokensError {
  readonly [symbol] = true
  /** Dotted path of the offending field, e.g. `messages[2].content`. */
  readonly field: string

  constructor(field: string, message: string) {
    super(`Invalid ${field}: ${message}`)
    this.name = 'InvalidArgumentError'
    this.field = field
  }

  /** @param error - any thrown value */
  static override isInstance(error: unknown): error is InvalidArgumentError {
    return hasMarker(error, marker)
  }
}
