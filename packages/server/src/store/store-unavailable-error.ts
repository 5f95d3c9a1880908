import { ApiError } from '../errors/api-error.js'

/** Seconds a client is asked to wait (`Retry-After`) when the database is unreachable. */
export const STORE_UNAVAILABLE_RETRY_AFTER_SECONDS = 1

/**
 * Thrown by a store when the database cannot be reached (refused, dropped or timed-out
 * connections, a full pool). The transaction did not commit, or — when the connection dropped
 * during the commit itself — its outcome is unknown; either way the caller may retry (keyed
 * writes then replay). It is an {@link ApiError} of type `unavailable`, so the HTTP layer
 * answers it as it answers every ApiError: 503 with `Retry-After`, never a hang or a 500.
 */
export class StoreUnavailableError extends ApiError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('unavailable', `${message}; retry shortly`, {
      retryAfterSeconds: STORE_UNAVAILABLE_RETRY_AFTER_SECONDS,
    })
    this.name = 'StoreUnavailableError'
    if (options.cause !== undefined) this.cause = options.cause
  }
}
