import { checkOptionalIdentifier, checkOptionalTime } from '../validate'
import { listQuery } from './list'

/** One recorded usage event. */
export interface UsageEvent {
  /** `evt_…` */
  id: string
  customerId: string
  agentId: string
  runId: string | null
  units: number
  metadata: Record<string, unknown>
  idempotencyKey: string
  reservationId: string | null
  createdAt: string
}

/** Filters and pagination of `bill.admin.events.list`. */
export interface EventListParams {
  customerId?: string
  agentId?: string
  runId?: string
  /** Only events at or after this time. */
  since?: Date | string
  /** Only events before this time. */
  until?: Date | string
  /** @default 50 */
  limit?: number
  startingAfter?: string
}

/** An event as the server sends it. */
export interface UsageEventWire {
  id: string
  customer_id: string
  agent_id: string
  run_id: string | null
  units: number
  metadata: Record<string, unknown> | null
  idempotency_key: string
  reservation_id: string | null
  created_at: string
}

/** Maps a wire event. */
export function toUsageEvent(wire: UsageEventWire): UsageEvent {
  return {
    id: wire.id,
    customerId: wire.customer_id,
    agentId: wire.agent_id,
    runId: wire.run_id ?? null,
    units: wire.units,
    metadata: wire.metadata ?? {},
    idempotencyKey: wire.idempotency_key,
    reservationId: wire.reservation_id ?? null,
    createdAt: wire.created_at,
  }
}

const FILTER_KEYS = ['customerId', 'agentId', 'runId', 'since', 'until'] as const

/** Checks the filters of an event or decision list and builds its query. */
export function filterQuery(
  params: Record<string, unknown>,
  extraKeys: readonly string[],
  what: string,
): Record<string, string | number | boolean | undefined> {
  return {
    ...listQuery(params, [...FILTER_KEYS, ...extraKeys], what),
    customer_id: checkOptionalIdentifier('customerId', params.customerId),
    agent_id: checkOptionalIdentifier('agentId', params.agentId),
    run_id: checkOptionalIdentifier('runId', params.runId),
    since: checkOptionalTime('since', params.since),
    until: checkOptionalTime('until', params.until),
  }
}
