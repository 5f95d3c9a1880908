import { AgentBillValidationError, type CallContext } from 'agentbill'

/**
 * What one call may name for itself under `providerOptions.agentbill`, so one wrapped model
 * serves many customers, agents and runs. Each field wins over the enclosing `bill.run(...)` scope
 * and the middleware's options.
 *
 * @example
 * await generateText({
 *   model,
 *   prompt,
 *   providerOptions: { agentbill: { customerId: user.id } satisfies AgentBillProviderOptions },
 * })
 */
export interface AgentBillProviderOptions {
  /** The customer who pays for this call. @default the scope's, else the middleware's */
  customerId?: string
  /** The agent making this call. @default the scope's, else the middleware's */
  agentId?: string
  /**
   * The run this call belongs to: every step of a tool loop, and any other call that names the
   * same id, shares one ceiling. @default the scope's, else one run per `generateText`/`streamText` call
   */
  runId?: string
  /** The most units the whole run may use. @default the scope's, else the middleware's */
  ceiling?: number
}

/** The key under `providerOptions` this middleware reads. */
export const PROVIDER_OPTIONS_KEY = 'agentbill'

const STRING_FIELDS = ['customerId', 'agentId', 'runId'] as const

/**
 * Reads and checks `providerOptions.agentbill`. The values themselves (id length, characters, the
 * ceiling's range) are checked by the client when it preflights.
 * @throws {AgentBillValidationError} naming the field, for a wrong type or an unknown field.
 * @internal
 */
export function readProviderOptions(providerOptions: unknown): CallContext {
  if (typeof providerOptions !== 'object' || providerOptions === null) return {}
  const options = (providerOptions as Record<string, unknown>)[PROVIDER_OPTIONS_KEY]
  if (options === undefined) return {}
  const where = `providerOptions.${PROVIDER_OPTIONS_KEY}`
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new AgentBillValidationError(where, 'must be an object')
  }
  const context: CallContext = {}
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue
    if ((STRING_FIELDS as readonly string[]).includes(key)) {
      if (typeof value !== 'string') {
        throw new AgentBillValidationError(
          `${where}.${key}`,
          `must be a string, got ${typeof value}`,
        )
      }
      context[key as (typeof STRING_FIELDS)[number]] = value
    } else if (key === 'ceiling') {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        throw new AgentBillValidationError(
          `${where}.ceiling`,
          `must be a whole number of units ≥ 0, got ${String(value)}`,
        )
      }
      context.ceiling = value
    } else {
      throw new AgentBillValidationError(
        `${where}.${key}`,
        `is not a field of ${where}; expected one of customerId, agentId, runId, ceiling`,
      )
    }
  }
  return context
}
