/** Token counts the fake reports as usage; each defaults to its own approximate count. */
export interface FakeUsage {
  inputTokens?: number
  outputTokens?: number
  cachedInputTokens?: number
  reasoningTokens?: number
}

/** How the fake answers one model request. Queue them with `enqueue`; unqueued requests get the default. */
export type FakeBehavior =
  | {
      kind: 'text'
      /** The answer. */
      text: string
      /** Usage to report instead of the fake's own count. */
      usage?: FakeUsage
      /** Pause between streamed chunks (a slow stream). @default 0 */
      chunkDelayMs?: number
    }
  | {
      kind: 'tool-calls'
      calls: Array<{ name: string; arguments: Record<string, unknown> }>
      usage?: FakeUsage
    }
  | {
      kind: 'error'
      /** The HTTP status, such as 429 or 500. */
      status: number
      message?: string
      /** Sent as `retry-after-ms`, which the OpenAI SDK honours. */
      retryAfterMs?: number
    }
  /** Accepts the request and never answers (timeouts, aborts). */
  | { kind: 'hang' }

/** What the fake saw of one request. */
export interface RecordedRequest {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  body: unknown
  /** The behavior it was answered with. */
  behavior: FakeBehavior
}
