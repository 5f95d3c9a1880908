import type { Logger } from 'pino'
import type { WebhookSignal } from '../ledger/webhook-outbox.js'
import type { Store } from '../store/store.js'
import type { ClaimedWebhookDelivery } from '../store/webhook-store.js'
import { VERSION } from '../version.js'
import { webhookRetryDelayMs } from './retry-schedule.js'
import { sendWebhookRequest, type WebhookRequestResult } from './webhook-request.js'
import { signWebhookPayload, WEBHOOK_HEADERS } from './webhook-signature.js'
import type { WebhookTargetPolicy } from './webhook-target.js'

/** Options of {@link WebhookDispatcher} (the server passes its own). */
export interface WebhookDispatcherOptions {
  store: Store
  /** The server's clock, epoch ms: when deliveries are due, and the signatures' time. */
  clock: () => number
  policy: WebhookTargetPolicy
  logger?: Logger | undefined
  /**
   * How often the worker looks for due deliveries, in ms (a request that queues one wakes it
   * at once in its own instance; other instances find it on their next look).
   * @default 1000
   */
  pollIntervalMs?: number
  /**
   * Attempts in flight at once, per instance.
   * @default 8
   */
  concurrency?: number
  /**
   * Connect time-out of an attempt, in ms.
   * @default 5000
   */
  connectTimeoutMs?: number
  /**
   * Total time-out of an attempt, in ms.
   * @default 10000
   */
  timeoutMs?: number
  /**
   * How long a claimed delivery is this worker's before another may try it (if this one died),
   * in ms. Longer than an attempt can take.
   * @default 60000
   */
  leaseMs?: number
  /**
   * Finished deliveries (and their attempts and events) are deleted this many days after they
   * finished; pending ones are kept whatever their age.
   * @default 30
   */
  retentionDays?: number
  /** Jitter source of the retry delays. @default Math.random */
  random?: () => number
}

/** How often the worker prunes old deliveries. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000
/** Deliveries deleted per transaction, and transactions per pruning at most. */
const PRUNE_BATCH = 500
const PRUNE_BATCHES = 20

/**
 * The background worker of one server instance: claims due deliveries from the store (each
 * claim is this worker's for a lease, so several instances on one database never attempt the
 * same delivery at once), POSTs them signed, and logs every attempt with its outcome. A failed
 * attempt is retried on the schedule of `retry-schedule.ts`; a worker that dies mid-attempt
 * leaves its claim to run out, and the delivery is retried by whichever worker looks next.
 *
 * Nothing here runs inside a request: requests only write the outbox. A slow or hanging
 * receiver holds one of this worker's slots until its time-out, never a request.
 */
export class WebhookDispatcher implements WebhookSignal {
  readonly #options: WebhookDispatcherOptions
  readonly #concurrency: number
  readonly #inFlight = new Set<Promise<void>>()
  readonly #abort = new AbortController()
  #timer: NodeJS.Timeout | undefined
  #pruneTimer: NodeJS.Timeout | undefined
  #attempts = 0
  #failures = 0
  #polling = false
  #again = false
  #closed = false

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options
    this.#concurrency = Math.max(1, options.concurrency ?? 8)
  }

  /** Starts looking for due deliveries on a timer. */
  start(): void {
    if (this.#closed || this.#timer !== undefined) return
    this.#timer = setInterval(() => void this.#poll(), this.#options.pollIntervalMs ?? 1000)
    this.#timer.unref()
    this.#pruneTimer = setInterval(() => {
      this.prune().catch((error: unknown) =>
        this.#options.logger?.error({ err: error }, 'webhook pruning failed'),
      )
    }, PRUNE_INTERVAL_MS)
    this.#pruneTimer.unref()
    void this.#poll()
  }

  /**
   * Deletes deliveries finished more than `retentionDays` ago, with their attempts and the
   * events left without a delivery (in bounded batches); resolves how many deliveries went.
   * The timer does this hourly.
   */
  async prune(): Promise<number> {
    const before = this.#options.clock() - (this.#options.retentionDays ?? 30) * 86_400_000
    let total = 0
    for (let batch = 0; batch < PRUNE_BATCHES && !this.#closed; batch++) {
      const deleted = await this.#options.store.transaction((tx) =>
        tx.webhooks.pruneDeliveries({ before, limit: PRUNE_BATCH }),
      )
      total += deleted
      if (deleted < PRUNE_BATCH) break
    }
    return total
  }

  /** A request committed deliveries: look now. */
  deliveriesCreated(): void {
    if (this.#timer !== undefined) void this.#poll()
  }

  /** Attempts in flight right now. */
  get inFlight(): number {
    return this.#inFlight.size
  }

  /** Attempts this worker has made, and how many of them failed (for metrics). */
  get stats(): { attempts: number; failures: number } {
    return { attempts: this.#attempts, failures: this.#failures }
  }

  /**
   * Claims what is due now (as many as there are free slots), and resolves with how many once
   * those attempts are logged. The timer does the same; this is for callers that want to know
   * when (tests, and tools that deliver without a listening server).
   */
  async runOnce(): Promise<number> {
    const claimed = await this.#claim(this.#concurrency - this.#inFlight.size)
    await Promise.all(claimed.map((delivery) => this.#launch(delivery)))
    return claimed.length
  }

  /** Resolves once nothing is due now and nothing is in flight (attempts logged). */
  async drain(): Promise<void> {
    for (;;) {
      await Promise.allSettled([...this.#inFlight])
      const claimed = await this.runOnce()
      if (claimed === 0 && this.#inFlight.size === 0) return
    }
  }

  /**
   * Stops: no more claims; attempts in flight are cut short and logged as failed (their
   * deliveries are retried on the schedule, by any instance).
   */
  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer !== undefined) clearInterval(this.#timer)
    if (this.#pruneTimer !== undefined) clearInterval(this.#pruneTimer)
    this.#abort.abort()
    await Promise.allSettled([...this.#inFlight])
  }

  async #poll(): Promise<void> {
    if (this.#closed) return
    if (this.#polling) {
      this.#again = true
      return
    }
    this.#polling = true
    try {
      do {
        this.#again = false
        const free = this.#concurrency - this.#inFlight.size
        if (free <= 0) break
        const claimed = await this.#claim(free)
        for (const delivery of claimed) void this.#launch(delivery)
        // A full batch: more may be due.
        if (claimed.length === free) this.#again = true
      } while (this.#again && !this.#closed)
    } catch (error) {
      this.#options.logger?.error({ err: error }, 'webhook claim failed')
    } finally {
      this.#polling = false
    }
  }

  async #claim(limit: number): Promise<ClaimedWebhookDelivery[]> {
    if (this.#closed || limit <= 0) return []
    const now = this.#options.clock()
    return this.#options.store.transaction((tx) =>
      tx.webhooks.claimDeliveries({
        now,
        limit,
        leaseUntil: now + (this.#options.leaseMs ?? 60_000),
      }),
    )
  }

  #launch(claimed: ClaimedWebhookDelivery): Promise<void> {
    const running = this.#attempt(claimed).catch((error: unknown) => {
      // The outcome could not be logged (the database is away): the claim runs out and the
      // delivery is tried again.
      this.#options.logger?.error(
        { err: error, deliveryId: claimed.delivery.id },
        'webhook attempt not logged',
      )
    })
    this.#inFlight.add(running)
    void running.finally(() => {
      this.#inFlight.delete(running)
      // A slot is free: anything else due can go.
      if (!this.#closed && this.#timer !== undefined) void this.#poll()
    })
    return running
  }

  async #attempt(claimed: ClaimedWebhookDelivery): Promise<void> {
    const { delivery, event } = claimed
    const options = this.#options
    const startedAt = options.clock()
    const started = performance.now()
    const result: WebhookRequestResult = await sendWebhookRequest({
      url: claimed.url,
      payload: event.payload,
      headers: {
        'content-type': 'application/json',
        'user-agent': `agentbill-webhooks/${VERSION}`,
        [WEBHOOK_HEADERS.signature]: signWebhookPayload(
          event.payload,
          claimed.secret,
          Math.floor(startedAt / 1000),
        ),
        [WEBHOOK_HEADERS.eventId]: event.id,
        [WEBHOOK_HEADERS.eventType]: event.type,
      },
      policy: options.policy,
      ...(options.connectTimeoutMs === undefined
        ? {}
        : { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      signal: this.#abort.signal,
    })
    const durationMs = Math.round(performance.now() - started)
    this.#attempts++
    if (!result.succeeded) this.#failures++
    const attempt = delivery.attempts
    const status = result.succeeded
      ? 'succeeded'
      : attempt >= delivery.maxAttempts
        ? 'failed'
        : 'pending'
    if (!result.succeeded) {
      options.logger?.warn(
        {
          deliveryId: delivery.id,
          endpointId: delivery.endpointId,
          eventId: event.id,
          attempt,
          responseStatus: result.responseStatus,
          error: result.error,
        },
        status === 'failed' ? 'webhook delivery gave up' : 'webhook attempt failed',
      )
    }
    await options.store.transaction(async (tx) => {
      await tx.webhooks.finishAttempt({
        attempt: {
          projectId: delivery.projectId,
          deliveryId: delivery.id,
          attempt,
          startedAt,
          durationMs,
          responseStatus: result.responseStatus,
          error: result.error,
          succeeded: result.succeeded,
        },
        status,
        nextAttemptAt:
          status === 'pending'
            ? options.clock() + webhookRetryDelayMs(attempt, options.random)
            : null,
      })
    })
  }
}
