import { periodBounds } from '../periods.js'
import type {
  ApiKey,
  Balance,
  Customer,
  Decision,
  Event,
  Grant,
  Project,
  Reservation,
  Run,
} from '../schemas/objects.js'
import type {
  ApiKeyRow,
  CustomerRow,
  DecisionRow,
  EventRow,
  GrantRow,
  ProjectRow,
  ReservationRow,
  RunRow,
} from '../store/store.js'

/** ISO 8601 (UTC) of epoch milliseconds. */
export function iso(time: number): string {
  return new Date(time).toISOString()
}

/** The ledger figures of a customer row (see `api.md`, "The ledger, per customer"). */
export function ledgerFigures(row: CustomerRow): {
  granted: number
  remaining: number | null
  overage: number
} {
  const granted = (row.limitUnits ?? row.freeUnits) + row.grantUnits
  return {
    granted,
    remaining: row.unlimited ? null : Math.max(0, granted - row.usedUnits - row.reservedUnits),
    overage: row.unlimited ? 0 : Math.max(0, row.usedUnits - granted),
  }
}

export function toBalance(row: CustomerRow, now: number): Balance {
  const figures = ledgerFigures(row)
  const bounds = periodBounds(row.period, now)
  return {
    customer_id: row.customerId,
    granted_units: figures.granted,
    used_units: row.usedUnits,
    reserved_units: row.reservedUnits,
    remaining_units: figures.remaining,
    overage_units: figures.overage,
    unlimited: row.unlimited,
    period: row.period,
    period_start: bounds.start === null ? null : iso(bounds.start),
    period_end: bounds.end === null ? null : iso(bounds.end),
  }
}

export function toCustomer(row: CustomerRow, now: number): Customer {
  return {
    customer_id: row.customerId,
    limit_units: row.limitUnits,
    unlimited: row.unlimited,
    period: row.period,
    metadata: row.metadata,
    created_at: iso(row.createdAt),
    balance: toBalance(row, now),
  }
}

export function toReservation(row: ReservationRow): Reservation {
  return {
    id: row.id,
    status: row.status,
    customer_id: row.customerId,
    agent_id: row.agentId,
    run_id: row.runId,
    units: row.units,
    expires_at: iso(row.expiresAt),
    created_at: iso(row.createdAt),
    closed_at: row.closedAt === null ? null : iso(row.closedAt),
  }
}

export function toEvent(row: EventRow): Event {
  return {
    id: row.id,
    customer_id: row.customerId,
    agent_id: row.agentId,
    run_id: row.runId,
    units: row.units,
    metadata: row.metadata,
    idempotency_key: row.idempotencyKey,
    reservation_id: row.reservationId,
    created_at: iso(row.createdAt),
  }
}

export function toDecision(row: DecisionRow): Decision {
  return {
    id: row.id,
    approved: row.approved,
    reason: row.reason,
    customer_id: row.customerId,
    agent_id: row.agentId,
    run_id: row.runId,
    estimated_units: row.estimatedUnits,
    estimate_source: row.estimateSource,
    ceiling: row.ceiling,
    remaining_units: row.remainingUnits,
    reservation_id: row.reservationId,
    created_at: iso(row.createdAt),
  }
}

export function toGrant(row: GrantRow): Grant {
  return {
    id: row.id,
    customer_id: row.customerId,
    units: row.units,
    reason: row.reason,
    created_at: iso(row.createdAt),
  }
}

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    prefix: row.prefix,
    last4: row.last4,
    created_at: iso(row.createdAt),
    revoked_at: row.revokedAt === null ? null : iso(row.revokedAt),
  }
}

export function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    free_units: row.freeUnits,
    upgrade_url: row.upgradeUrl,
    default_ttl_seconds: row.defaultTtlSeconds,
    created_at: iso(row.createdAt),
  }
}

export function toRun(row: RunRow): Run {
  return {
    run_id: row.runId,
    ceiling: row.ceiling,
    used_units: row.usedUnits,
    reserved_units: row.reservedUnits,
    remaining_units:
      row.ceiling === null ? null : Math.max(0, row.ceiling - row.usedUnits - row.reservedUnits),
    created_at: iso(row.createdAt),
  }
}
