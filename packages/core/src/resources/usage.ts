import { AgentBillValidationError } from '../errors/agent-bill-validation-error'
import { checkKnownKeys, checkOptionalIdentifier, checkOptionalTime } from '../validate'

/** A dimension usage can be summed by. */
export type UsageDimension = 'agent' | 'customer' | 'day'

/** Arguments of `bill.admin.usage`. */
export interface UsageParams {
  /** One dimension, or two (`['day', 'agent']` for a chart by day split by agent). */
  groupBy: UsageDimension | readonly UsageDimension[]
  since?: Date | string
  until?: Date | string
  /** Only this customer's usage. */
  customerId?: string
  /** Only this agent's usage. */
  agentId?: string
}

/** One row of a usage sum; the grouped dimensions are set. */
export interface UsageRow {
  /** `YYYY-MM-DD` (UTC), when grouped by day. */
  day?: string
  agentId?: string
  customerId?: string
  units: number
  /** How many events were summed. */
  events: number
}

/** The answer of `bill.admin.usage`. */
export interface UsageSummary {
  groupBy: UsageDimension[]
  data: UsageRow[]
}

/** A usage answer as the server sends it. */
export interface UsageWire {
  group_by: UsageDimension[] | UsageDimension
  data: Array<{
    day?: string
    agent_id?: string
    customer_id?: string
    units: number
    events: number
  }>
}

/** Maps a wire usage answer. */
export function toUsageSummary(wire: UsageWire): UsageSummary {
  return {
    groupBy: Array.isArray(wire.group_by) ? wire.group_by : [wire.group_by],
    data: wire.data.map((row) => ({
      ...(row.day === undefined ? {} : { day: row.day }),
      ...(row.agent_id === undefined ? {} : { agentId: row.agent_id }),
      ...(row.customer_id === undefined ? {} : { customerId: row.customer_id }),
      units: row.units,
      events: row.events,
    })),
  }
}

const DIMENSIONS: readonly UsageDimension[] = ['agent', 'customer', 'day']

/** Checks the arguments and builds the query. */
export function usageQuery(params: UsageParams): Record<string, string | undefined> {
  checkKnownKeys(params, ['groupBy', 'since', 'until', 'customerId', 'agentId'], 'usage')
  const groupBy = typeof params.groupBy === 'string' ? [params.groupBy] : params.groupBy
  if (
    !Array.isArray(groupBy) ||
    groupBy.length < 1 ||
    groupBy.length > 2 ||
    !groupBy.every((item) => DIMENSIONS.includes(item))
  ) {
    throw new AgentBillValidationError('groupBy', `must be one or two of ${DIMENSIONS.join(', ')}`)
  }
  return {
    group_by: groupBy.join(','),
    since: checkOptionalTime('since', params.since),
    until: checkOptionalTime('until', params.until),
    customer_id: checkOptionalIdentifier('customerId', params.customerId),
    agent_id: checkOptionalIdentifier('agentId', params.agentId),
  }
}
