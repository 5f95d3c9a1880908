import { createId } from '../ids.js'
import type {
  CustomerRow,
  DecisionRow,
  GrantRow,
  ReservationRow,
  RunRow,
  StoreTransaction,
} from '../store/store.js'
import type { WebhookEndpointRow } from '../store/webhook-store.js'
import { WEBHOOK_MAX_ATTEMPTS } from '../webhooks/retry-schedule.js'
import { subscribes, type WebhookEventType } from '../webhooks/webhook-event-types.js'
import { iso, ledgerFigures, toDecision, toGrant, toReservation } from './wire.js'

/** Told when a transaction wrote deliveries (so the worker can look sooner than its timer). */
export interface WebhookSignal {
  deliveriesCreated(): void
}

interface PendingEvent {
  type: Exclude<WebhookEventType, 'customer.budget.threshold'>
  data: Record<string, unknown>
  dedupKey: string | null
}

/** A change of a customer's used units that may have crossed a threshold or the grant. */
interface UsageChange {
  customerId: string
  before: number
  after: number
  granted: number
  periodStart: number | null
}

/**
 * Whether some whole percent `t` has `before < t% of granted <= after` (with nothing granted:
 * the first usage): only then can a threshold have been crossed. Exact in integers (units reach
 * 10^15, and × 100 would leave a double's exact range): such a `t` exists exactly when
 * `floor(after × 100 / granted) > floor(before × 100 / granted)`.
 */
function crossesAPercent(before: number, after: number, granted: number): boolean {
  if (after <= before) return false
  if (granted === 0) return before === 0
  return (BigInt(after) * 100n) / BigInt(granted) > (BigInt(before) * 100n) / BigInt(granted)
}

/** Whether threshold `percent` lies in (before, after] as a share of `granted`. */
function crosses(percent: number, change: UsageChange): boolean {
  if (change.granted === 0) return change.before === 0 && change.after > 0
  const line = BigInt(percent) * BigInt(change.granted)
  return BigInt(change.before) * 100n < line && line <= BigInt(change.after) * 100n
}

/**
 * The outbox of one ledger transaction: the rules that turn ledger changes into webhook events,
 * written in the same transaction as the change (so an event exists exactly when its change
 * committed, and a rolled-back request leaves none). Nothing is written for an event no
 * endpoint of the project subscribes to, and the endpoints are read only when an event may be
 * due: an approved preflight, or a record that reaches no new whole percent of the grant, reads
 * nothing more.
 *
 * Delivery is someone else's job (the worker), outside the request.
 */
export class WebhookOutbox {
  readonly #tx: StoreTransaction
  readonly #projectId: string
  readonly #now: number
  readonly #signal: WebhookSignal | undefined
  #events: PendingEvent[] = []
  #usage: UsageChange[] = []
  #endpoints: WebhookEndpointRow[] | undefined

  constructor(
    tx: StoreTransaction,
    projectId: string,
    now: number,
    signal: WebhookSignal | undefined,
  ) {
    this.#tx = tx
    this.#projectId = projectId
    this.#now = now
    this.#signal = signal
  }

  /**
   * A record raised the customer's used units from `before`: `customer.budget.threshold` for
   * each threshold crossed (once per threshold, period and allowance), and `customer.overage`
   * when usage went past the grant.
   */
  usageRecorded(customer: CustomerRow, before: number): void {
    if (customer.unlimited) return
    const granted = ledgerFigures(customer).granted
    const after = customer.usedUnits
    if (before <= granted && after > granted) {
      this.#events.push({
        type: 'customer.overage',
        data: {
          customer_id: customer.customerId,
          overage_units: after - granted,
          used_units: after,
          granted_units: granted,
          period_start: customer.periodStart === null ? null : iso(customer.periodStart),
        },
        dedupKey: JSON.stringify([
          'customer.overage',
          customer.customerId,
          customer.periodStart,
          granted,
        ]),
      })
    }
    if (crossesAPercent(before, after, granted)) {
      this.#usage.push({
        customerId: customer.customerId,
        before,
        after,
        granted,
        periodStart: customer.periodStart,
      })
    }
  }

  /** A record raised the run's used units from `before`: `run.ceiling_reached` at its ceiling. */
  runUsageRecorded(run: RunRow, before: number, customerId: string, agentId: string): void {
    if (run.ceiling === null || before >= run.ceiling || run.usedUnits < run.ceiling) return
    this.#ceilingReached(run, customerId, agentId)
  }

  /** A preflight was blocked (and, by its run's ceiling, that run reached it). */
  preflightBlocked(decision: DecisionRow, run: RunRow | undefined): void {
    this.#events.push({ type: 'preflight.blocked', data: toDecision(decision), dedupKey: null })
    if (decision.reason === 'ceiling_exceeded' && run !== undefined) {
      this.#ceilingReached(run, decision.customerId, decision.agentId)
    }
  }

  /** Holds that just expired (as the store returned them, still `open`). */
  reservationsExpired(reservations: readonly ReservationRow[]): void {
    for (const reservation of reservations) {
      this.#events.push({
        type: 'reservation.expired',
        data: toReservation({ ...reservation, status: 'expired', closedAt: this.#now }),
        dedupKey: null,
      })
    }
  }

  /** A grant was made (not an idempotent replay). */
  grantCreated(grant: GrantRow): void {
    this.#events.push({ type: 'grant.created', data: toGrant(grant), dedupKey: null })
  }

  #ceilingReached(run: RunRow, customerId: string, agentId: string): void {
    this.#events.push({
      type: 'run.ceiling_reached',
      data: {
        run_id: run.runId,
        ceiling: run.ceiling,
        customer_id: customerId,
        agent_id: agentId,
        used_units: run.usedUnits,
        reserved_units: run.reservedUnits,
      },
      dedupKey: JSON.stringify(['run.ceiling_reached', run.runId]),
    })
  }

  /** Writes the pending events and one delivery per subscribed endpoint. */
  async flush(): Promise<void> {
    if (this.#events.length === 0 && this.#usage.length === 0) return
    const events = this.#events
    const usage = this.#usage
    this.#events = []
    this.#usage = []
    this.#endpoints ??= await this.#tx.webhooks.listEndpoints(this.#projectId)
    const endpoints = this.#endpoints
    if (endpoints.length === 0) return

    for (const change of usage) {
      const listeners = endpoints.filter((endpoint) =>
        subscribes(endpoint.events, 'customer.budget.threshold'),
      )
      const percents = [...new Set(listeners.flatMap((endpoint) => endpoint.thresholds))]
        .filter((percent) => crosses(percent, change))
        .sort((left, right) => left - right)
      for (const percent of percents) {
        await this.#write(
          'customer.budget.threshold',
          {
            customer_id: change.customerId,
            threshold_percent: percent,
            used_units: change.after,
            granted_units: change.granted,
            period_start: change.periodStart === null ? null : iso(change.periodStart),
          },
          JSON.stringify([
            'customer.budget.threshold',
            change.customerId,
            percent,
            change.periodStart,
            change.granted,
          ]),
          listeners.filter((endpoint) => endpoint.thresholds.includes(percent)),
        )
      }
    }
    for (const event of events) {
      await this.#write(
        event.type,
        event.data,
        event.dedupKey,
        endpoints.filter((endpoint) => subscribes(endpoint.events, event.type)),
      )
    }
  }

  async #write(
    type: WebhookEventType,
    data: Record<string, unknown>,
    dedupKey: string | null,
    recipients: readonly WebhookEndpointRow[],
  ): Promise<void> {
    const webhooks = this.#tx.webhooks
    if (recipients.length === 0) return
    const id = createId('whevt', this.#now)
    const payload = JSON.stringify({
      id,
      type,
      created_at: iso(this.#now),
      project_id: this.#projectId,
      data,
    })
    const written = await webhooks.insertEvent({
      id,
      projectId: this.#projectId,
      type,
      payload,
      dedupKey,
      createdAt: this.#now,
    })
    if (!written) return
    for (const endpoint of recipients) {
      await webhooks.insertDelivery({
        id: createId('whdel', this.#now),
        projectId: this.#projectId,
        endpointId: endpoint.id,
        eventId: id,
        status: 'pending',
        attempts: 0,
        maxAttempts: WEBHOOK_MAX_ATTEMPTS,
        nextAttemptAt: this.#now,
        lastAttemptAt: null,
        lastResponseStatus: null,
        lastError: null,
        createdAt: this.#now,
        completedAt: null,
      })
    }
    this.#signal?.deliveriesCreated()
  }
}
