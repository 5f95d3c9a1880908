import type { PageOptions } from './store.js'

/** A webhook endpoint of a project: where its events go, and which ones. */
export interface WebhookEndpointRow {
  id: string
  projectId: string
  url: string
  description: string | null
  /** Event types sent there; `'*'` for all. */
  events: string[]
  /** Percents of a customer's granted units that fire `customer.budget.threshold`, ascending. */
  thresholds: number[]
  /** The signing secret (`whsec_…`): kept as is, since every delivery is signed with it. */
  secret: string
  createdAt: number
  /** Set when deleted: nothing more is sent there, and its pending deliveries are cancelled. */
  deletedAt: number | null
}

/** One event of the outbox, written in the transaction of the change that caused it. */
export interface WebhookEventRow {
  id: string
  projectId: string
  type: string
  /** The exact body every delivery of the event sends (JSON text). */
  payload: string
  /**
   * A key that makes the event happen at most once (a threshold per customer, period and
   * allowance; a run's ceiling): a second event with the same key is not written.
   */
  dedupKey: string | null
  createdAt: number
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled'

/** One event to one endpoint: retried until it succeeds or runs out of attempts. */
export interface WebhookDeliveryRow {
  id: string
  projectId: string
  endpointId: string
  eventId: string
  status: WebhookDeliveryStatus
  /** Attempts started so far (a claim counts one, before it is made). */
  attempts: number
  maxAttempts: number
  /**
   * When the next attempt is due (`pending` only). A claim moves it past the claim's lease, so
   * an attempt whose worker died is retried once the lease is over.
   */
  nextAttemptAt: number | null
  lastAttemptAt: number | null
  lastResponseStatus: number | null
  lastError: string | null
  createdAt: number
  /** When it succeeded, gave up or was cancelled. */
  completedAt: number | null
}

/** The log of one attempt. */
export interface WebhookAttemptRow {
  projectId: string
  deliveryId: string
  /** 1 for the first attempt; the claim that made it. */
  attempt: number
  startedAt: number
  durationMs: number
  /** The HTTP status answered; `null` when no answer came (refused, timed out, reset). */
  responseStatus: number | null
  error: string | null
  succeeded: boolean
}

/** A delivery with its event. */
export interface WebhookDeliveryWithEvent {
  delivery: WebhookDeliveryRow
  event: WebhookEventRow
}

/** A delivery a worker has claimed, with what it needs to make the attempt. */
export interface ClaimedWebhookDelivery extends WebhookDeliveryWithEvent {
  url: string
  secret: string
}

/** Which deliveries of an endpoint to list (newest first). */
export interface WebhookDeliveryListOptions extends PageOptions {
  status?: WebhookDeliveryStatus | undefined
}

/** How a finished attempt leaves its delivery. */
export interface WebhookAttemptOutcome {
  attempt: WebhookAttemptRow
  status: Exclude<WebhookDeliveryStatus, 'cancelled'>
  /** For `pending`: when to try again. */
  nextAttemptAt: number | null
}

/**
 * The webhook tables of a transaction (`tx.webhooks`): endpoints, the outbox of events, their
 * deliveries and the attempt log. Plain reads and writes, plus the claim that hands due
 * deliveries to one worker among many instances.
 */
export interface WebhookStoreTransaction {
  insertEndpoint(row: WebhookEndpointRow): Promise<void>
  /** The endpoint, deleted or not. */
  getEndpoint(projectId: string, id: string): Promise<WebhookEndpointRow | undefined>
  /** The project's endpoints that are not deleted, oldest first. */
  listEndpoints(projectId: string): Promise<WebhookEndpointRow[]>
  /** Marks the endpoint deleted and cancels its pending deliveries. */
  deleteEndpoint(projectId: string, id: string, deletedAt: number): Promise<void>

  /**
   * Writes an event; resolves `false`, writing nothing, when its `dedupKey` is taken (by this
   * or a concurrent transaction: never an error).
   */
  insertEvent(row: WebhookEventRow): Promise<boolean>
  insertDelivery(row: WebhookDeliveryRow): Promise<void>
  /** The delivery with its event (locked until the transaction ends). */
  getDelivery(projectId: string, id: string): Promise<WebhookDeliveryWithEvent | undefined>
  /** An endpoint's deliveries with their events, newest first; `limit + 1` at most. */
  listDeliveries(
    projectId: string,
    endpointId: string,
    options: WebhookDeliveryListOptions,
  ): Promise<WebhookDeliveryWithEvent[]>
  /** The attempts of these deliveries, by delivery and attempt number. */
  listAttempts(projectId: string, deliveryIds: readonly string[]): Promise<WebhookAttemptRow[]>
  /** Sets a delivery's status and schedule (a manual resend). */
  rescheduleDelivery(
    projectId: string,
    id: string,
    schedule: { status: 'pending'; nextAttemptAt: number; maxAttempts: number },
  ): Promise<void>

  /**
   * Hands up to `limit` due deliveries (`pending`, `nextAttemptAt <= now`, oldest due first,
   * across projects) to the caller: each one's `attempts` goes up by one and its
   * `nextAttemptAt` moves to `leaseUntil`, in this transaction, so no other worker (of this
   * or another instance) takes it before the lease ends. Rows another transaction is claiming
   * are skipped, not waited for. Due deliveries with no attempt left (their worker died during
   * the last one) are marked `failed` instead.
   */
  claimDeliveries(options: {
    now: number
    limit: number
    leaseUntil: number
  }): Promise<ClaimedWebhookDelivery[]>
  /**
   * Logs an attempt and, if the delivery is still `pending` with this attempt as its latest
   * claim, applies the outcome. Resolves `false` when it was not applied (the lease ran out
   * and another claim took over, or the delivery was cancelled): the log row is kept anyway.
   */
  finishAttempt(outcome: WebhookAttemptOutcome): Promise<boolean>
  /**
   * Deletes up to `limit` finished deliveries (succeeded, failed or cancelled) completed before
   * `before`, across projects, with their attempts, and the events left without a delivery —
   * except events with a `dedupKey`, which remember that a threshold or a run's ceiling has
   * fired. Resolves how many deliveries went.
   */
  pruneDeliveries(options: { before: number; limit: number }): Promise<number>
}
