import type { UnitsPolicy } from '@agentbill/tokens'
import type { AdapterOptions } from 'agentbill'

/** Options of {@link AgentBillCallbackHandler}: those every adapter takes, and its own. */
export interface AgentBillCallbackHandlerOptions extends AdapterOptions {
  /**
   * The agent every call is billed to, unless the invocation's `metadata.agentbill_agent_id` or an
   * enclosing `bill.run(...)` names one.
   * @default undefined (then every invocation must name one)
   */
  agentId?: string
  /**
   * The customer paying, unless the invocation's `metadata.agentbill_customer_id` or an enclosing
   * `bill.run(...)` names one.
   * @default undefined (the client's `defaultCustomerId`)
   */
  customerId?: string
  /**
   * The most units one run may use: every model call of one `invoke` (or `stream`, or one `batch`
   * item) of a chain or agent counts against it, and the call that would pass it is never made.
   * `metadata.agentbill_ceiling` or an enclosing `bill.run(...)` may set another.
   * @default undefined (no ceiling: only the customer's budget bounds a run)
   */
  ceiling?: number
  /**
   * Turns a call's tokens into units, for the estimate before the call and the record after it.
   * @default defaultPolicy from `@agentbill/tokens` (one unit per 1,000 input + output tokens)
   */
  units?: UnitsPolicy
  /**
   * Called with the error when billing a call that nobody awaits fails: a stream aborted through
   * its `signal` is settled in the background.
   * @default console.warn
   */
  onError?: (error: unknown) => void
}
