import type { EstimateSource } from './preflight'

/** A stored preflight decision, approved or blocked. */
export interface Decision {
  /** `dec_…` */
  id: string
  approved: boolean
  reason: 'budget_exhausted' | 'ceiling_exceeded' | null
  customerId: string
  agentId: string
  runId: string | null
  estimatedUnits: number
  estimateSource: EstimateSource
  ceiling: number | null
  remainingUnits: number | null
  reservationId: string | null
  createdAt: string
}

/** Filters and pagination of `bill.admin.decisions.list`. */
export interface DecisionListParams {
  customerId?: string
  agentId?: string
  runId?: string
  /** Only approved (`true`) or only blocked (`false`) decisions. */
  approved?: boolean
  since?: Date | string
  until?: Date | string
  /** @default 50 */
  limit?: number
  startingAfter?: string
}

/** A decision as the server sends it. */
export interface DecisionWire {
  id: string
  approved: boolean
  reason: 'budget_exhausted' | 'ceiling_exceeded' | null
  customer_id: string
  agent_id: string
  run_id: string | null
  estimated_units: number
  estimate_source: EstimateSource
  ceiling: number | null
  remaining_units: number | null
  reservation_id: string | null
  created_at: string
}

/** Maps a wire decision. */
export function toDecision(wire: DecisionWire): Decision {
  return {
    id: wire.id,
    approved: wire.approved,
    reason: wire.reason ?? null,
    customerId: wire.customer_id,
    agentId: wire.agent_id,
    runId: wire.run_id ?? null,
    estimatedUnits: wire.estimated_units,
    estimateSource: wire.estimate_source,
    ceiling: wire.ceiling ?? null,
    remainingUnits: wire.remaining_units ?? null,
    reservationId: wire.reservation_id ?? null,
    createdAt: wire.created_at,
  }
}
