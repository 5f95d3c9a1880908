/**
 * Thrown by a store when the database cannot be reached (refused, dropped or timed-out
 * connections). The transaction did not commit, or — when the connection dropped during the
 * commit itself — its outcome is unknown; either way the caller may retry the request (keyed
 * writes then replay). The HTTP layer answers 503 `unavailable` with `Retry-After`.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StoreUnavailableError'
  }
}
