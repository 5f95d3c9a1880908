import { AgentBillValidationError } from '../errors/agent-bill-validation-error'
import { checkKnownKeys, checkOptionalChoice } from '../validate'
import type { WebhookEvent, WebhookEventType } from '../webhooks/webhook-event'
import { listQuery } from './list'

/** The event types an endpoint can subscribe to, or `'*'` for all of them. */
export type WebhookSubscription = WebhookEventType | '*'

const SUBSCRIPTIONS: readonly WebhookSubscription[] = [
  'customer.budget.threshold',
  'preflight.blocked',
  'run.ceiling_reached',
  'reservation.expired',
  'customer.overage',
  'grant.created',
  '*',
]

/** A webhook endpoint as listed: never its secret. */
export interface WebhookEndpoint {
  /** `whe_…` */
  id: string
  url: string
  description: string | null
  /** What is sent there (`'*'`: everything). */
  events: WebhookSubscription[]
  /** Percents of a customer's granted units that fire `customer.budget.threshold`. */
  thresholds: number[]
  createdAt: string
  /** When it was deleted; `null` while it receives events. */
  deletedAt: string | null
}

/** A new endpoint: the only time its signing secret is shown. */
export interface CreatedWebhookEndpoint extends WebhookEndpoint {
  /** The signing secret (`whsec_…`) for `verifyWebhook`. Store it now: it is never shown again. */
  secret: string
}

/** Arguments of `bill.admin.webhooks.create`. */
export interface WebhookCreateParams {
  /**
   * Where events are POSTed (http or https). The server refuses private, loopback, link-local
   * and metadata addresses unless it was started to allow private targets.
   */
  url: string
  /** Event types to send there, or `['*']` for all. */
  events: WebhookSubscription[]
  /**
   * Percents of a customer's granted units at which `customer.budget.threshold` fires (1–1000,
   * each once per period and allowance).
   * @default [80, 100]
   */
  thresholds?: number[]
  /** What the endpoint is for (1–500 characters). */
  description?: string
}

/** How one attempt of a delivery went. */
export interface WebhookAttempt {
  /** 1 for the first. */
  attempt: number
  startedAt: string
  durationMs: number
  /** The HTTP status answered; `null` when none came (refused, timed out, reset). */
  responseStatus: number | null
  /** Why it failed; `null` when it succeeded. */
  error: string | null
  succeeded: boolean
}

/** Where a delivery stands. */
export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled'

/** One event sent (or to be sent) to one endpoint, with every attempt so far. */
export interface WebhookDelivery {
  /** `whdel_…` */
  id: string
  endpointId: string
  status: WebhookDeliveryStatus
  attempts: number
  maxAttempts: number
  /** When the next attempt is due; `null` once finished. */
  nextAttemptAt: string | null
  lastAttemptAt: string | null
  lastResponseStatus: number | null
  lastError: string | null
  createdAt: string
  completedAt: string | null
  /** The event, as its body is sent (snake_case `data`). */
  event: WebhookEvent
  attemptLog: WebhookAttempt[]
}

/** Arguments of `bill.admin.webhooks.deliveries`. */
export interface WebhookDeliveryListParams {
  /** Only deliveries in this status. */
  status?: WebhookDeliveryStatus
  /**
   * Page size (1–200).
   * @default 50
   */
  limit?: number
  /** The id of the last delivery of the previous page. */
  startingAfter?: string
}

/** An endpoint as the server sends it. */
export interface WebhookEndpointWire {
  id: string
  url: string
  description: string | null
  events: WebhookSubscription[]
  thresholds: number[]
  created_at: string
  deleted_at: string | null
  secret?: string
}

/** A delivery as the server sends it. */
export interface WebhookDeliveryWire {
  id: string
  endpoint_id: string
  status: WebhookDeliveryStatus
  attempts: number
  max_attempts: number
  next_attempt_at: string | null
  last_attempt_at: string | null
  last_response_status: number | null
  last_error: string | null
  created_at: string
  completed_at: string | null
  event: WebhookEvent
  attempt_log: Array<{
    attempt: number
    started_at: string
    duration_ms: number
    response_status: number | null
    error: string | null
    succeeded: boolean
  }>
}

/** Maps a listed wire endpoint. */
export function toWebhookEndpoint(wire: WebhookEndpointWire): WebhookEndpoint {
  return {
    id: wire.id,
    url: wire.url,
    description: wire.description ?? null,
    events: wire.events,
    thresholds: wire.thresholds,
    createdAt: wire.created_at,
    deletedAt: wire.deleted_at ?? null,
  }
}

/** Maps a newly created wire endpoint, secret included. */
export function toCreatedWebhookEndpoint(wire: WebhookEndpointWire): CreatedWebhookEndpoint {
  if (wire.secret === undefined) throw new TypeError('The server did not return the secret')
  return { ...toWebhookEndpoint(wire), secret: wire.secret }
}

/** Maps a wire delivery. */
export function toWebhookDelivery(wire: WebhookDeliveryWire): WebhookDelivery {
  return {
    id: wire.id,
    endpointId: wire.endpoint_id,
    status: wire.status,
    attempts: wire.attempts,
    maxAttempts: wire.max_attempts,
    nextAttemptAt: wire.next_attempt_at ?? null,
    lastAttemptAt: wire.last_attempt_at ?? null,
    lastResponseStatus: wire.last_response_status ?? null,
    lastError: wire.last_error ?? null,
    createdAt: wire.created_at,
    completedAt: wire.completed_at ?? null,
    event: wire.event,
    attemptLog: wire.attempt_log.map((attempt) => ({
      attempt: attempt.attempt,
      startedAt: attempt.started_at,
      durationMs: attempt.duration_ms,
      responseStatus: attempt.response_status ?? null,
      error: attempt.error ?? null,
      succeeded: attempt.succeeded,
    })),
  }
}

/** Checks the arguments and builds the wire body. */
export function webhookCreateBody(params: WebhookCreateParams): Record<string, unknown> {
  checkKnownKeys(params, ['url', 'events', 'thresholds', 'description'], 'webhooks.create')
  if (typeof params.url !== 'string' || !/^https?:\/\//i.test(params.url)) {
    throw new AgentBillValidationError('url', 'must be an http or https URL')
  }
  if (!Array.isArray(params.events) || params.events.length === 0) {
    throw new AgentBillValidationError(
      'events',
      `must be a non-empty list of ${SUBSCRIPTIONS.join(', ')}`,
    )
  }
  params.events.forEach((event, index) => {
    checkOptionalChoice(`events[${index}]`, event, SUBSCRIPTIONS)
  })
  if (params.thresholds !== undefined) {
    if (
      !Array.isArray(params.thresholds) ||
      params.thresholds.length === 0 ||
      params.thresholds.some(
        (value) =>
          typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1000,
      )
    ) {
      throw new AgentBillValidationError(
        'thresholds',
        'must be a non-empty list of integers from 1 to 1000',
      )
    }
  }
  if (
    params.description !== undefined &&
    (typeof params.description !== 'string' ||
      params.description.length < 1 ||
      params.description.length > 500)
  ) {
    throw new AgentBillValidationError('description', 'must be a string of 1 to 500 characters')
  }
  return {
    url: params.url,
    events: params.events,
    ...(params.thresholds === undefined ? {} : { thresholds: params.thresholds }),
    ...(params.description === undefined ? {} : { description: params.description }),
  }
}

/** Checks the arguments and builds the query of `GET /v1/webhooks/{id}/deliveries`. */
export function webhookDeliveryQuery(
  params: WebhookDeliveryListParams,
): Record<string, string | number | undefined> {
  return {
    ...listQuery({ ...params }, ['status'], 'webhooks.deliveries'),
    status: checkOptionalChoice('status', params.status, [
      'pending',
      'succeeded',
      'failed',
      'cancelled',
    ] as const),
  }
}
