import type { AgentBill } from 'agentbill'

/** One model call a test asks a major's driver to make. */
export interface DriverCall {
  /** `null`: the bare model, without the middleware. */
  bill: AgentBill | null
  agentId: string
  customerId: string
  prompt: string
}

/** What the caller received. */
export interface DriverResult {
  text: string
  /** Streams only: every part of `fullStream`, in order. */
  chunks?: unknown[]
}

/**
 * The same calls made through one major of `ai` (its `generateText`, `streamText`,
 * `wrapLanguageModel` and mock model), so the shared tests run unchanged on ai 7, 6 and 5.
 */
export interface MajorDriver {
  name: string
  generate(call: DriverCall): Promise<DriverResult>
  /** Streams with `streamText`; an `error` part is thrown, as a route handler would surface it. */
  stream(call: DriverCall): Promise<DriverResult>
}
