/** Options for one call, overriding the client's for that call only. */
export interface RequestOptions {
  /**
   * How long one attempt of this call may take, in milliseconds.
   * @default the client's `timeoutMs`
   */
  timeoutMs?: number
  /**
   * How many times this call is retried on 408, 409, 429, 5xx and connection errors.
   * @default the client's `maxRetries`
   */
  maxRetries?: number
  /** Aborts the call (and its retries). The promise rejects with the signal's reason. */
  signal?: AbortSignal
  /**
   * Extra headers for this call.
   * @default {}
   */
  headers?: Record<string, string>
}
