import { defaultPolicy, type UnitsPolicy } from '@agentbill/tokens'
import { type AgentBill, AgentBillValidationError, type CallContext } from 'agentbill'

/** Options of {@link agentBillMiddleware}. */
export interface AgentBillMiddlewareOptions {
  /** The AgentBill client every call is gated through. */
  client: Pick<AgentBill, 'beginCall'>
  /**
   * The agent these calls belong to.
   * @default none: then each call must get one from `providerOptions.agentbill.agentId` or an
   * enclosing `bill.run(...)`, else it fails with `AgentBillValidationError`
   */
  agentId?: string
  /**
   * The customer who pays.
   * @default `providerOptions.agentbill.customerId`, else the enclosing `bill.run(...)`'s, else the
   * client's `defaultCustomerId`
   */
  customerId?: string
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
  policy?: UnitsPolicy
  /**
   * The output tokens held for a call that sets no `maxOutputTokens`.
   * @default the model's default from `@agentbill/tokens` (4,096; 8,192 for reasoning models),
   * clamped to its maximum output
   */
  defaultOutputTokens?: number
  /**
   * How long a call's hold lives if the process dies before the call ends.
   * @default the project's default (900 s)
   */
  ttlSeconds?: number
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

const KNOWN_OPTIONS = [
  'client',
  'agentId',
  'customerId',
  'ceiling',
  'policy',
  'defaultOutputTokens',
  'ttlSeconds',
  'onError',
]

/**
 * Checks the options once, when the middleware is made, so a typo fails at start-up rather than
 * on the first model call.
 * @throws {AgentBillValidationError} naming the option.
 * @internal
 */
export function resolveMiddlewareOptions(options: AgentBillMiddlewareOptions): MiddlewareSettings {
  if (typeof options !== 'object' || options === null) {
    throw new AgentBillValidationError('options', 'must be an object with at least `client`')
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new AgentBillValidationError(
        key,
        `is not an option of agentBillMiddleware; expected one of ${KNOWN_OPTIONS.join(', ')}`,
      )
    }
  }
  const { client } = options
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof (client as Partial<AgentBill>).beginCall !== 'function'
  ) {
    throw new AgentBillValidationError('client', 'must be an AgentBill client (new AgentBill(…))')
  }
  const defaults: CallContext = {}
  for (const key of ['agentId', 'customerId'] as const) {
    const value = options[key]
    if (value === undefined) continue
    if (typeof value !== 'string' || value === '') {
      throw new AgentBillValidationError(key, `must be a non-empty string, got ${String(value)}`)
    }
    defaults[key] = value
  }
  if (options.ceiling !== undefined) defaults.ceiling = wholeNumber('ceiling', options.ceiling)
  if (options.policy !== undefined && typeof options.policy !== 'function') {
    throw new AgentBillValidationError('policy', 'must be a function (usage, model) => units')
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new AgentBillValidationError('onError', 'must be a function (error) => void')
  }
  return {
    client,
    defaults,
    policy: options.policy ?? defaultPolicy,
    defaultOutputTokens:
      options.defaultOutputTokens === undefined
        ? undefined
        : wholeNumber('defaultOutputTokens', options.defaultOutputTokens),
    ttlSeconds:
      options.ttlSeconds === undefined ? undefined : wholeNumber('ttlSeconds', options.ttlSeconds),
    onError: options.onError ?? ((error) => console.warn('[@agentbill/ai-sdk]', error)),
  }
}

function wholeNumber(param: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new AgentBillValidationError(param, `must be a whole number ≥ 0, got ${String(value)}`)
  }
  return value
}
