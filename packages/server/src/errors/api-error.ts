/** The error types of the HTTP contract (`api.md`), one per status. */
export type ApiErrorType =
  | 'invalid_request'
  | 'authentication_failed'
  | 'permission_denied'
  | 'not_found'
  | 'conflict'
  | 'idempotency_conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal'
  | 'unavailable'

const statusByType: Record<ApiErrorType, number> = {
  invalid_request: 400,
  authentication_failed: 401,
  permission_denied: 403,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
}

/**
 * An error the API answers with: `{"error": {"type", "message", "param"}}` and the status of
 * its type. Thrown anywhere below the HTTP layer (ledger, validation, auth); anything else that
 * is thrown becomes a 500 `internal` whose message hides the cause.
 */
export class ApiError extends Error {
  readonly type: ApiErrorType
  readonly status: number
  readonly param: string | null
  /** Seconds, sent as `Retry-After` on 429 and 503. */
  readonly retryAfterSeconds: number | undefined

  constructor(
    type: ApiErrorType,
    message: string,
    options: { param?: string | null; retryAfterSeconds?: number } = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.type = type
    this.status = statusByType[type]
    this.param = options.param ?? null
    this.retryAfterSeconds = options.retryAfterSeconds
  }

  /** The wire body of this error. */
  toBody(): { error: { type: ApiErrorType; message: string; param: string | null } } {
    return { error: { type: this.type, message: this.message, param: this.param } }
  }
}
