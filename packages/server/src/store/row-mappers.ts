import type { Period } from '../periods.js'
import type {
  ApiKeyRow,
  CustomerRow,
  DecisionRow,
  EventRow,
  GrantRow,
  KeyScope,
  ProjectRow,
  ReservationRow,
  ReservationStatus,
  RunRow,
} from './store.js'
import type {
  WebhookAttemptRow,
  WebhookDeliveryRow,
  WebhookDeliveryStatus,
  WebhookDeliveryWithEvent,
  WebhookEndpointRow,
} from './webhook-store.js'

/**
 * Rows as both stores return them, mapped to the Store's row types once. The stores' drivers
 * differ only in booleans (SQLite answers 1 and 0, PostgreSQL true and false) and in how a bigint
 * arrives (the PostgreSQL pool's type parser turns it into a number), so one set of mappers
 * serves both.
 */
export type Row = Record<string, unknown>

export const text = (value: unknown): string => value as string
export const integer = (value: unknown): number => value as number
export const nullableText = (value: unknown): string | null => (value ?? null) as string | null
export const nullableInteger = (value: unknown): number | null => (value ?? null) as number | null
export const json = (value: unknown): Record<string, unknown> =>
  JSON.parse(value as string) as Record<string, unknown>
/** A boolean column: SQLite's 1, or PostgreSQL's true. */
export const flag = (value: unknown): boolean => value === true || value === 1

export function toProject(row: Row): ProjectRow {
  return {
    id: text(row.id),
    name: text(row.name),
    freeUnits: integer(row.free_units),
    upgradeUrl: nullableText(row.upgrade_url),
    defaultTtlSeconds: integer(row.default_ttl_seconds),
    createdAt: integer(row.created_at),
  }
}

export function toApiKey(row: Row): ApiKeyRow {
  return {
    id: text(row.id),
    projectId: text(row.project_id),
    name: text(row.name),
    scope: text(row.scope) as KeyScope,
    keyHash: text(row.key_hash),
    prefix: text(row.prefix),
    last4: text(row.last4),
    createdAt: integer(row.created_at),
    revokedAt: nullableInteger(row.revoked_at),
  }
}

export function toCustomer(row: Row): CustomerRow {
  return {
    projectId: text(row.project_id),
    customerId: text(row.customer_id),
    freeUnits: integer(row.free_units),
    limitUnits: nullableInteger(row.limit_units),
    unlimited: flag(row.unlimited),
    period: text(row.period) as Period,
    metadata: json(row.metadata),
    periodStart: nullableInteger(row.period_start),
    usedUnits: integer(row.used_units),
    reservedUnits: integer(row.reserved_units),
    grantUnits: integer(row.grant_units),
    createdAt: integer(row.created_at),
  }
}

export function toRun(row: Row): RunRow {
  return {
    projectId: text(row.project_id),
    runId: text(row.run_id),
    ceiling: nullableInteger(row.ceiling),
    usedUnits: integer(row.used_units),
    reservedUnits: integer(row.reserved_units),
    createdAt: integer(row.created_at),
  }
}

export function toReservation(row: Row): ReservationRow {
  return {
    id: text(row.id),
    projectId: text(row.project_id),
    customerId: text(row.customer_id),
    agentId: text(row.agent_id),
    runId: nullableText(row.run_id),
    units: integer(row.units),
    status: text(row.status) as ReservationStatus,
    expiresAt: integer(row.expires_at),
    createdAt: integer(row.created_at),
    closedAt: nullableInteger(row.closed_at),
  }
}

export function toEvent(row: Row): EventRow {
  return {
    id: text(row.id),
    projectId: text(row.project_id),
    customerId: text(row.customer_id),
    agentId: text(row.agent_id),
    runId: nullableText(row.run_id),
    units: integer(row.units),
    metadata: json(row.metadata),
    idempotencyKey: nullableText(row.idempotency_key),
    reservationId: nullableText(row.reservation_id),
    reservationStatus: nullableText(row.reservation_status) as EventRow['reservationStatus'],
    remainingUnits: nullableInteger(row.remaining_units),
    overageUnits: integer(row.overage_units),
    createdAt: integer(row.created_at),
  }
}

export function toDecision(row: Row): DecisionRow {
  return {
    id: text(row.id),
    projectId: text(row.project_id),
    customerId: text(row.customer_id),
    agentId: text(row.agent_id),
    runId: nullableText(row.run_id),
    approved: flag(row.approved),
    reason: nullableText(row.reason) as DecisionRow['reason'],
    estimatedUnits: integer(row.estimated_units),
    estimateSource: text(row.estimate_source) as DecisionRow['estimateSource'],
    ceiling: nullableInteger(row.ceiling),
    remainingUnits: nullableInteger(row.remaining_units),
    runRemainingUnits: nullableInteger(row.run_remaining_units),
    reservationId: nullableText(row.reservation_id),
    expiresAt: nullableInteger(row.expires_at),
    idempotencyKey: nullableText(row.idempotency_key),
    requestDigest: nullableText(row.request_digest),
    createdAt: integer(row.created_at),
  }
}

export function toGrant(row: Row): GrantRow {
  return {
    id: text(row.id),
    projectId: text(row.project_id),
    customerId: text(row.customer_id),
    units: integer(row.units),
    reason: nullableText(row.reason),
    idempotencyKey: nullableText(row.idempotency_key),
    createdAt: integer(row.created_at),
  }
}

export function toEndpoint(row: Row): WebhookEndpointRow {
  return {
    id: text(row.id),
    projectId: text(row.project_id),
    url: text(row.url),
    description: nullableText(row.description),
    events: JSON.parse(text(row.events)) as string[],
    thresholds: JSON.parse(text(row.thresholds)) as number[],
    secret: text(row.secret),
    createdAt: integer(row.created_at),
    deletedAt: nullableInteger(row.deleted_at),
  }
}

export function toDelivery(row: Row): WebhookDeliveryRow {
  return {
    id: text(row.id),
    projectId: text(row.project_id),
    endpointId: text(row.endpoint_id),
    eventId: text(row.event_id),
    status: text(row.status) as WebhookDeliveryStatus,
    attempts: integer(row.attempts),
    maxAttempts: integer(row.max_attempts),
    nextAttemptAt: nullableInteger(row.next_attempt_at),
    lastAttemptAt: nullableInteger(row.last_attempt_at),
    lastResponseStatus: nullableInteger(row.last_response_status),
    lastError: nullableText(row.last_error),
    createdAt: integer(row.created_at),
    completedAt: nullableInteger(row.completed_at),
  }
}

export function toAttempt(row: Row): WebhookAttemptRow {
  return {
    projectId: text(row.project_id),
    deliveryId: text(row.delivery_id),
    attempt: integer(row.attempt),
    startedAt: integer(row.started_at),
    durationMs: integer(row.duration_ms),
    responseStatus: nullableInteger(row.response_status),
    error: nullableText(row.error),
    succeeded: flag(row.succeeded),
  }
}

export function toDeliveryWithEvent(row: Row): WebhookDeliveryWithEvent {
  return {
    delivery: toDelivery(row),
    event: {
      id: text(row.event_id),
      projectId: text(row.project_id),
      type: text(row.event_type),
      payload: text(row.event_payload),
      dedupKey: nullableText(row.event_dedup_key),
      createdAt: integer(row.event_created_at),
    },
  }
}
