import { ApiError } from '../errors/api-error.js'
import { createId } from '../ids.js'
import type {
  CreatedWebhookEndpoint,
  List,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEvent,
} from '../schemas/objects.js'
import type { WebhookCreate, WebhookDeliveryListQuery } from '../schemas/requests.js'
import type { StoreTransaction } from '../store/store.js'
import type {
  WebhookAttemptRow,
  WebhookDeliveryWithEvent,
  WebhookEndpointRow,
  WebhookStoreTransaction,
} from '../store/webhook-store.js'
import {
  DEFAULT_BUDGET_THRESHOLDS,
  MAX_WEBHOOK_ENDPOINTS,
  type WebhookEventType,
} from '../webhooks/webhook-event-types.js'
import { generateWebhookSecret } from '../webhooks/webhook-secret.js'
import {
  parseWebhookUrl,
  resolveWebhookTarget,
  WebhookTargetError,
  type WebhookTargetPolicy,
} from '../webhooks/webhook-target.js'
import type { LedgerContext } from './ledger.js'
import { iso } from './wire.js'

function notFound(what: string, param: string): ApiError {
  return new ApiError('not_found', `No such ${what}`, { param })
}

export function toWebhookEndpoint(row: WebhookEndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events as WebhookEndpoint['events'],
    thresholds: row.thresholds,
    created_at: iso(row.createdAt),
    deleted_at: row.deletedAt === null ? null : iso(row.deletedAt),
  }
}

export function toWebhookDelivery(
  { delivery, event }: WebhookDeliveryWithEvent,
  attempts: readonly WebhookAttemptRow[],
): WebhookDelivery {
  const body = JSON.parse(event.payload) as WebhookEvent
  return {
    id: delivery.id,
    endpoint_id: delivery.endpointId,
    status: delivery.status,
    attempts: delivery.attempts,
    max_attempts: delivery.maxAttempts,
    next_attempt_at: delivery.nextAttemptAt === null ? null : iso(delivery.nextAttemptAt),
    last_attempt_at: delivery.lastAttemptAt === null ? null : iso(delivery.lastAttemptAt),
    last_response_status: delivery.lastResponseStatus,
    last_error: delivery.lastError,
    created_at: iso(delivery.createdAt),
    completed_at: delivery.completedAt === null ? null : iso(delivery.completedAt),
    event: {
      id: body.id,
      type: body.type as WebhookEventType,
      created_at: body.created_at,
      project_id: body.project_id,
      data: body.data,
    },
    attempt_log: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      started_at: iso(attempt.startedAt),
      duration_ms: attempt.durationMs,
      response_status: attempt.responseStatus,
      error: attempt.error,
      succeeded: attempt.succeeded,
    })),
  }
}

/**
 * Checks a new endpoint's URL against the target policy, resolving its host name: run before
 * the request's transaction (a DNS lookup must not hold the database).
 *
 * @throws {ApiError} 400 naming `url`.
 */
export async function checkWebhookUrl(url: string, policy: WebhookTargetPolicy): Promise<void> {
  try {
    await resolveWebhookTarget(parseWebhookUrl(url), policy)
  } catch (error) {
    if (!(error instanceof WebhookTargetError)) throw error
    throw new ApiError('invalid_request', `Invalid field url: ${error.message}`, { param: 'url' })
  }
}

/** `POST /v1/webhooks`: the secret is in this answer only. */
export async function createWebhookEndpoint(
  tx: StoreTransaction,
  context: LedgerContext,
  request: WebhookCreate,
): Promise<CreatedWebhookEndpoint> {
  const webhooks = tx.webhooks
  const existing = await webhooks.listEndpoints(context.project.id)
  if (existing.length >= MAX_WEBHOOK_ENDPOINTS) {
    throw new ApiError(
      'invalid_request',
      `A project has at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints; delete one first`,
      { param: 'url' },
    )
  }
  const row: WebhookEndpointRow = {
    id: createId('whe', context.now),
    projectId: context.project.id,
    // As parsed: the form that was checked is the form that is called.
    url: parseWebhookUrl(request.url).href,
    description: request.description ?? null,
    events: request.events,
    thresholds: [...(request.thresholds ?? DEFAULT_BUDGET_THRESHOLDS)].sort(
      (left, right) => left - right,
    ),
    secret: generateWebhookSecret(),
    createdAt: context.now,
    deletedAt: null,
  }
  await webhooks.insertEndpoint(row)
  return { ...toWebhookEndpoint(row), secret: row.secret }
}

/** `GET /v1/webhooks`: endpoints not deleted, oldest first (no secrets). */
export async function listWebhookEndpoints(
  tx: StoreTransaction,
  context: LedgerContext,
): Promise<List<WebhookEndpoint>> {
  const rows = await tx.webhooks.listEndpoints(context.project.id)
  return { object: 'list', data: rows.map(toWebhookEndpoint), has_more: false }
}

/** `GET /v1/webhooks/{id}` (a deleted one too, with `deleted_at`). */
export async function getWebhookEndpoint(
  tx: StoreTransaction,
  context: LedgerContext,
  id: string,
): Promise<WebhookEndpoint> {
  const row = await tx.webhooks.getEndpoint(context.project.id, id)
  if (row === undefined) throw notFound('webhook endpoint', 'id')
  return toWebhookEndpoint(row)
}

/** `DELETE /v1/webhooks/{id}`: nothing more is sent; pending deliveries are cancelled. */
export async function deleteWebhookEndpoint(
  tx: StoreTransaction,
  context: LedgerContext,
  id: string,
): Promise<WebhookEndpoint> {
  const webhooks = tx.webhooks
  const row = await webhooks.getEndpoint(context.project.id, id)
  if (row === undefined) throw notFound('webhook endpoint', 'id')
  if (row.deletedAt !== null) return toWebhookEndpoint(row)
  await webhooks.deleteEndpoint(context.project.id, id, context.now)
  return toWebhookEndpoint({ ...row, deletedAt: context.now })
}

async function withAttempts(
  webhooks: WebhookStoreTransaction,
  projectId: string,
  rows: readonly WebhookDeliveryWithEvent[],
): Promise<WebhookDelivery[]> {
  const attempts = await webhooks.listAttempts(
    projectId,
    rows.map((row) => row.delivery.id),
  )
  return rows.map((row) =>
    toWebhookDelivery(
      row,
      attempts.filter((attempt) => attempt.deliveryId === row.delivery.id),
    ),
  )
}

/** `GET /v1/webhooks/{id}/deliveries`: newest first, each with its attempts. */
export async function listWebhookDeliveries(
  tx: StoreTransaction,
  context: LedgerContext,
  endpointId: string,
  query: WebhookDeliveryListQuery,
): Promise<List<WebhookDelivery>> {
  const webhooks = tx.webhooks
  if ((await webhooks.getEndpoint(context.project.id, endpointId)) === undefined) {
    throw notFound('webhook endpoint', 'id')
  }
  const limit = query.limit ?? 50
  const rows = await webhooks.listDeliveries(context.project.id, endpointId, {
    limit,
    startingAfter: query.starting_after,
    status: query.status,
  })
  return {
    object: 'list',
    data: await withAttempts(webhooks, context.project.id, rows.slice(0, limit)),
    has_more: rows.length > limit,
  }
}

/**
 * `POST /v1/webhooks/{id}/deliveries/{delivery_id}/resend`: an attempt now. A pending delivery
 * keeps its remaining attempts (the next one just comes sooner); a finished one (succeeded or
 * failed) gets one more attempt. The event is the same (same id and body), so a receiver that
 * already has it can tell. A deleted endpoint's deliveries cannot be resent (404).
 */
export async function resendWebhookDelivery(
  tx: StoreTransaction,
  context: LedgerContext,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDelivery> {
  const webhooks = tx.webhooks
  const endpoint = await webhooks.getEndpoint(context.project.id, endpointId)
  if (endpoint === undefined || endpoint.deletedAt !== null) {
    throw notFound('webhook endpoint', 'id')
  }
  const found = await webhooks.getDelivery(context.project.id, deliveryId)
  if (found === undefined || found.delivery.endpointId !== endpointId) {
    throw notFound('delivery of this endpoint', 'delivery_id')
  }
  const { delivery } = found
  const maxAttempts =
    delivery.status === 'pending'
      ? Math.max(delivery.maxAttempts, delivery.attempts + 1)
      : delivery.attempts + 1
  await webhooks.rescheduleDelivery(context.project.id, deliveryId, {
    status: 'pending',
    nextAttemptAt: context.now,
    maxAttempts,
  })
  context.webhookSignal?.deliveriesCreated()
  const updated = {
    event: found.event,
    delivery: {
      ...delivery,
      status: 'pending' as const,
      nextAttemptAt: context.now,
      maxAttempts,
      completedAt: null,
    },
  }
  return (await withAttempts(webhooks, context.project.id, [updated]))[0] as WebhookDelivery
}
