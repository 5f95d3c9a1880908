import type { UnitsPolicy } from '@agentbill/tokens'
import type { AdapterOptions } from 'agentbill'

/**
 * Options of `withAgentBill`. The agent, customer and ceiling are defaults: a `bill.run(...)`
 * scope around the call wins over them, and the request's own `x-agentbill-*` headers (see
 * `agentBillHeaders`) win over both.
 */
export interface AgentBillOpenAIOptions extends AdapterOptions {
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
   * Ask streamed chat completions for usage (`stream_options.include_usage`) so they are billed
   * from the provider's count; the extra usage chunk is hidden from the caller. Turn it off for
   * OpenAI-compatible servers that reject the option: streams are then billed from a count of
   * their text.
   * @default true
   */
  includeUsage?: boolean
}
