import { defaultPolicy, type UnitsPolicy } from '@agentbill/tokens'
import {
  type AdapterOptions,
  type AgentBill,
  AgentBillValidationError,
  type CallContext,
  resolveAdapterOptions,
} from 'agentbill'

/** Options of {@link agentBillMiddleware}: those every adapter takes, and its own. */
export interface AgentBillMiddlewareOptions extends AdapterOptions {
  /**
   * The most units one run may use: by default one run is one `generateText`/`streamText` call
   * with all its tool steps. A step that would pass it is blocked before the model is called, and
   * a stream that would pass it is ended.
   * @default no ceiling
   */
  ceiling?: number
  /**
   * Turns a call's token usage into units (the estimate held before it, and the usage recorded
   * after): `defaultPolicy`, `tokensPolicy`, `usd`, `weightedPolicy` from `@agentbill/tokens`, or
   * your own `(usage, model) => units`.
   * @default defaultPolicy (one unit per 1,000 tokens, rounded up)
   */
  units?: UnitsPolicy
  /**
   * Receives failures nobody awaits: recording the usage of a stream its reader cancelled.
   * (Everywhere else a failure reaches the caller: `generateText` rejects, a stream gets an
   * `error` part.)
   * @default console.warn
   */
  onError?: (error: unknown) => void
}

/** The options, checked. @internal */
export interface MiddlewareSettings {
  client: Pick<AgentBill, 'beginCall'>
  defaults: CallContext
  policy: UnitsPolicy
  defaultOutputTokens: number | undefined
  ttlSeconds: number | undefined
  onError: (error: unknown) => void
}

/**
 * Checks the options once, when the middleware is made, so a typo fails at start-up rather than
 * on the first model call.
 * @throws {AgentBillValidationError} naming the option.
 * @internal
 */
export function resolveMiddlewareOptions(options: AgentBillMiddlewareOptions): MiddlewareSettings {
  const shared = resolveAdapterOptions(options, 'agentBillMiddleware', ['onError'])
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new AgentBillValidationError('onError', 'must be a function (error) => void')
  }
  return {
    ...shared,
    policy: options.units ?? defaultPolicy,
    onError: options.onError ?? ((error) => console.warn('[@agentbill/ai-sdk]', error)),
  }
}
