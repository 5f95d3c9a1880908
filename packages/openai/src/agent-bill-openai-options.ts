import type { UnitsPolicy } from '@agentbill/tokens'
import type { AgentBill } from 'agentbill'

/**
 * Options of `withAgentBill`. The agent, customer and ceiling are defaults: a `bill.run(...)`
 * scope around the call wins over them, and the request's own `x-agentbill-*` headers (see
 * `agentBillHeaders`) win over both.
 */
export interface AgentBillOpenAIOptions {
  /** The AgentBill client that preflights and records every call. */
  client: AgentBill
  /**
   * The agent making the calls.
   * @default none: a `bill.run` scope or the request's headers must name it
   */
  agentId?: string
  /**
   * The customer who pays.
   * @default the AgentBill client's `defaultCustomerId`
   */
  customerId?: string
  /**
   * The most units a call may use — or, with a run id (header), the whole run. Inside
   * `bill.run(...)` the run's own ceiling applies instead.
   * @default none
   */
  ceiling?: number
  /**
   * Turns a call's token usage into units (estimate and record alike): `defaultPolicy`,
   * `usd`, `weightedPolicy(…)`, `tokensPolicy(…)` from `@agentbill/tokens`, or your own
   * `(usage, model) => units`.
   * @default defaultPolicy (one unit per 1,000 tokens, rounded up)
   */
  units?: UnitsPolicy
  /**
   * Output tokens held for a request that sets no `max_completion_tokens` / `max_tokens` /
   * `max_output_tokens`.
   * @default 4,096 (8,192 for reasoning models), clamped to the model's maximum output
   */
  defaultOutputTokens?: number
  /**
   * Ask streamed chat completions for usage (`stream_options.include_usage`) so they are billed
   * from the provider's count; the extra usage chunk is hidden from the caller. Turn it off for
   * OpenAI-compatible servers that reject the option: streams are then billed from a count of
   * their text.
   * @default true
   */
  includeUsage?: boolean
  /**
   * How long a call's hold lasts if the process dies before the call ends, in seconds.
   * @default the project's default TTL
   */
  ttlSeconds?: number
}
