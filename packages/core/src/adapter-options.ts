import type { AgentBill } from './agent-bill'
import { AgentBillValidationError } from './errors/agent-bill-validation-error'
import type { CallContext } from './gated-call'
import {
  checkKnownKeys,
  checkOptionalIdentifier,
  checkOptionalIntegerInRange,
  checkOptionalUnits,
} from './validate'

/**
 * The options every AgentBill adapter takes (`withAgentBill`, `AgentBillCallbackHandler`,
 * `agentBillMiddleware`), each with its own extras. The agent, customer and ceiling are defaults:
 * an enclosing `bill.run(...)` scope wins over them, and what a call names itself wins over both.
 */
export interface AdapterOptions {
  /** The AgentBill client every call is gated through (`new AgentBill(…)`). */
  client: Pick<AgentBill, 'beginCall'>
  /**
   * The agent making the calls.
   * @default none: a `bill.run(...)` scope or the call itself must name one
   */
  agentId?: string
  /**
   * The customer who pays.
   * @default the client's `defaultCustomerId`
   */
  customerId?: string
  /**
   * The most units one run may use; a call that would pass it is blocked before the provider is
   * called, and a stream that would pass it is cut there. What one run is depends on the adapter.
   * @default no ceiling: only the customer's budget bounds a run
   */
  ceiling?: number
  /**
   * Output tokens held for a call that sets no output cap.
   * @default the model's default from `@agentbill/tokens` (4,096; 8,192 for reasoning models),
   * clamped to its maximum output
   */
  defaultOutputTokens?: number
  /**
   * How long a call's hold lasts if the process dies before the call ends, in seconds.
   * @default the project's default (900)
   */
  ttlSeconds?: number
}

/** The options every adapter shares, checked. */
export interface ResolvedAdapterOptions {
  client: Pick<AgentBill, 'beginCall'>
  /** The agent, customer and ceiling, for `beginCall({ defaults })`. */
  defaults: CallContext
  defaultOutputTokens: number | undefined
  ttlSeconds: number | undefined
}

const SHARED_KEYS = [
  'client',
  'agentId',
  'customerId',
  'ceiling',
  'units',
  'defaultOutputTokens',
  'ttlSeconds',
] as const

/**
 * Checks an adapter's options once, when the adapter is made, so a typo fails at start-up rather
 * than on the first model call: an unknown key (`policy` for `units`, `agent_id`) is refused by
 * name, as are a missing client, an empty agent or customer id, a fractional ceiling, and a `units`
 * policy that is not a function. The adapter checks its own `extraKeys` itself.
 * @throws {AgentBillValidationError} naming the option.
 */
export function resolveAdapterOptions(
  options: unknown,
  adapter: string,
  extraKeys: readonly string[] = [],
): ResolvedAdapterOptions {
  checkKnownKeys(options, [...SHARED_KEYS, ...extraKeys], adapter)
  const client = options.client as Partial<AgentBill> | null | undefined
  if (typeof client !== 'object' || client === null || typeof client.beginCall !== 'function') {
    throw new AgentBillValidationError('client', 'must be an AgentBill client (new AgentBill(…))')
  }
  if (options.units !== undefined && typeof options.units !== 'function') {
    throw new AgentBillValidationError('units', 'must be a units policy, (usage, model) => units')
  }
  const agentId = checkOptionalIdentifier('agentId', options.agentId)
  const customerId = checkOptionalIdentifier('customerId', options.customerId)
  const ceiling = checkOptionalUnits('ceiling', options.ceiling)
  return {
    client: client as Pick<AgentBill, 'beginCall'>,
    defaults: {
      ...(agentId === undefined ? {} : { agentId }),
      ...(customerId === undefined ? {} : { customerId }),
      ...(ceiling === undefined ? {} : { ceiling }),
    },
    defaultOutputTokens: checkOptionalIntegerInRange(
      'defaultOutputTokens',
      options.defaultOutputTokens,
      1,
      10_000_000,
    ),
    ttlSeconds: checkOptionalIntegerInRange('ttlSeconds', options.ttlSeconds, 1, 86_400),
  }
}
