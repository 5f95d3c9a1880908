import type { AgentBill } from 'agentbill'

/** One model call (or tool loop) a test asks a major's driver to make. */
export interface DriverCall {
  /** `null`: the bare model, without the middleware. */
  bill: AgentBill | null
  agentId: string
  customerId: string
  prompt: string
  /** The middleware's `ceiling` option. */
  ceiling?: number
  /** The call's `maxOutputTokens`. */
  maxOutputTokens?: number
}

/** What the caller received. */
export interface DriverResult {
  text: string
  /** Streams only: every part of `fullStream`, in order. */
  chunks?: unknown[]
}

/** What a stream's reader saw, errors included. */
export interface StreamOutcome {
  text: string
  /** The errors of the stream's `error` parts, in order. */
  errors: unknown[]
  /** The errors `onError` received, in order. */
  onErrors: unknown[]
}

/** How a tool loop ended. */
export interface ToolLoopOutcome {
  /** Steps that finished (each one model call). */
  steps: number
  /** The loop's final text. */
  text: string
  /** `generateText`'s rejection, or the stream's first error part. */
  error: unknown
}

/**
 * The same calls made through one major of `ai` (its `generateText`, `streamText`, `tool`,
 * `stepCountIs`, `wrapLanguageModel` and mock model), so the shared tests run unchanged on ai 7, 6
 * and 5.
 */
export interface MajorDriver {
  name: string
  generate(call: DriverCall): Promise<DriverResult>
  /** Streams with `streamText`; an `error` part is thrown, as the contract expects. */
  stream(call: DriverCall): Promise<DriverResult>
  /** Streams with `streamText` to the end, collecting error parts instead of throwing. */
  streamOutcome(call: DriverCall): Promise<StreamOutcome>
  /** A `lookup` tool loop (`stopWhen: stepCountIs(10)`), generated or streamed. */
  toolLoop(call: DriverCall & { stream: boolean }): Promise<ToolLoopOutcome>
}
