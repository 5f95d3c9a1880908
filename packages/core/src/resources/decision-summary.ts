import { AgentBillValidationError } from '../errors/agent-bill-validation-error'
import {
  checkKnownKeys,
  checkOptionalBoolean,
  checkOptionalIdentifier,
  checkOptionalTime,
} from '../validate'

/** A dimension decisions can be counted by. */
export type DecisionDimension = 'agent' | 'customer' | 'day' | 'reason'

/** Arguments of `bill.admin.decisions.summary`. */
export interface DecisionSummaryParams {
  /** One dimension or two (`['day', 'reason']`). @default 'day' */
  groupBy?: DecisionDimension | readonly DecisionDimension[]
  /** Only approved (`true`) or only blocked (`false`) decisions. */
  approved?: boolean
  since?: Date | string
  until?: Date | string
  customerId?: string
  agentId?: string
}

/** One row of a decision count; the grouped dimensions are set. */
export interface DecisionSummaryRow {
  day?: string
  agentId?: string
  customerId?: string
  /** The block reason; `null` for approved decisions. */
  reason?: 'budget_exhausted' | 'ceiling_exceeded' | null
  decisions: number
  /** The sum of their estimates. */
  estimatedUnits: number
}

/** The answer of `bill.admin.decisions.summary`. */
export interface DecisionSummary {
  groupBy: DecisionDimension[]
  data: DecisionSummaryRow[]
}

/** A decision summary as the server sends it. */
export interface DecisionSummaryWire {
  group_by: DecisionDimension[]
  data: Array<{
    day?: string
    agent_id?: string
    customer_id?: string
    reason?: 'budget_exhausted' | 'ceiling_exceeded' | null
    decisions: number
    estimated_units: number
  }>
}

/** Maps a wire decision summary. */
export function toDecisionSummary(wire: DecisionSummaryWire): DecisionSummary {
  return {
    groupBy: wire.group_by,
    data: wire.data.map((row) => ({
      ...(row.day === undefined ? {} : { day: row.day }),
      ...(row.agent_id === undefined ? {} : { agentId: row.agent_id }),
      ...(row.customer_id === undefined ? {} : { customerId: row.customer_id }),
      ...(row.reason === undefined ? {} : { reason: row.reason }),
      decisions: row.decisions,
      estimatedUnits: row.estimated_units,
    })),
  }
}

const DIMENSIONS: readonly DecisionDimension[] = ['agent', 'customer', 'day', 'reason']

/** Checks the arguments and builds the query. */
export function decisionSummaryQuery(
  params: DecisionSummaryParams,
): Record<string, string | boolean | undefined> {
  checkKnownKeys(
    params,
    ['groupBy', 'approved', 'since', 'until', 'customerId', 'agentId'],
    'decisions.summary',
  )
  const groupBy =
    params.groupBy === undefined
      ? undefined
      : typeof params.groupBy === 'string'
        ? [params.groupBy]
        : params.groupBy
  if (
    groupBy !== undefined &&
    (!Array.isArray(groupBy) ||
      groupBy.length < 1 ||
      groupBy.length > 2 ||
      new Set(groupBy).size !== groupBy.length ||
      !groupBy.every((item) => DIMENSIONS.includes(item)))
  ) {
    throw new AgentBillValidationError('groupBy', `must be one or two of ${DIMENSIONS.join(', ')}`)
  }
  return {
    group_by: groupBy?.join(','),
    approved: checkOptionalBoolean('approved', params.approved),
    since: checkOptionalTime('since', params.since),
    until: checkOptionalTime('until', params.until),
    customer_id: checkOptionalIdentifier('customerId', params.customerId),
    agent_id: checkOptionalIdentifier('agentId', params.agentId),
  }
}
