import { periodBounds } from '../periods.js'
import type {
  CustomerRow,
  ProjectRow,
  ReservationRow,
  RunRow,
  StoreTransaction,
} from '../store/store.js'
import { WebhookOutbox, type WebhookSignal } from './webhook-outbox.js'

interface Tracked<Row> {
  row: Row
  dirty: boolean
}

/**
 * The customers and runs one transaction touches, with the rules that keep their counters
 * true on every read: reservations past their expiry (server clock) give their hold back,
 * and a periodic budget whose period has ended starts the new one — no cron job needed.
 * Changes are made to the cached rows and written once by {@link LedgerSession.flush}.
 */
export class LedgerSession {
  readonly tx: StoreTransaction
  readonly projectId: string
  readonly now: number
  readonly #freeUnits: number
  readonly #customers = new Map<string, Tracked<CustomerRow>>()
  readonly #runs = new Map<string, Tracked<RunRow>>()
  #projectExpired = false
  /** The webhook events this transaction's changes cause, written by {@link flush}. */
  readonly outbox: WebhookOutbox

  /** @param signal Told after `flush` wrote webhook deliveries. */
  constructor(tx: StoreTransaction, project: ProjectRow, now: number, signal?: WebhookSignal) {
    this.tx = tx
    this.projectId = project.id
    this.#freeUnits = project.freeUnits
    this.now = now
    this.outbox = new WebhookOutbox(tx, project.id, now, signal)
  }

  /** The customer (created with the project's free units on first sight), brought up to date. */
  async customer(customerId: string): Promise<CustomerRow> {
    const cached = this.#customers.get(customerId)
    if (cached !== undefined) return cached.row
    const row = await this.tx.ensureCustomer({
      projectId: this.projectId,
      customerId,
      freeUnits: this.#freeUnits,
      limitUnits: null,
      unlimited: false,
      period: 'none',
      metadata: {},
      periodStart: null,
      usedUnits: 0,
      reservedUnits: 0,
      grantUnits: 0,
      createdAt: this.now,
    })
    const tracked = { row, dirty: false }
    this.#customers.set(customerId, tracked)
    await this.#rollPeriod(tracked)
    // A customer with nothing held has nothing to expire (the counter is exact).
    if (row.reservedUnits > 0) await this.#expireProject()
    return row
  }

  /** The run, created when missing, without expiring its reservations. */
  async run(runId: string): Promise<RunRow> {
    const cached = this.#runs.get(runId)
    if (cached !== undefined) return cached.row
    const row = await this.tx.ensureRun({
      projectId: this.projectId,
      runId,
      ceiling: null,
      usedUnits: 0,
      reservedUnits: 0,
      createdAt: this.now,
    })
    this.#runs.set(runId, { row, dirty: false })
    return row
  }

  /** The run with every reservation of it that is past its expiry given back. */
  async checkedRun(runId: string): Promise<RunRow> {
    const row = await this.run(runId)
    if (row.reservedUnits > 0) await this.#expireProject()
    return row
  }

  /**
   * Expires every hold of the project that is past its expiry (once per transaction): due
   * holds are few at any moment, and this keeps one index for all expiry checks.
   */
  async #expireProject(): Promise<void> {
    if (this.#projectExpired) return
    this.#projectExpired = true
    const expired = await this.tx.expireReservations({ projectId: this.projectId, now: this.now })
    await this.applyExpired(expired)
  }

  /** Marks a customer row changed (it is written by {@link flush}). */
  touchCustomer(row: CustomerRow): void {
    const tracked = this.#customers.get(row.customerId)
    if (tracked !== undefined) tracked.dirty = true
  }

  /** Marks a run row changed. */
  touchRun(row: RunRow): void {
    const tracked = this.#runs.get(row.runId)
    if (tracked !== undefined) tracked.dirty = true
  }

  /** Takes the holds of reservations that were just closed off their customer and run. */
  async releaseHolds(reservations: readonly ReservationRow[]): Promise<void> {
    for (const reservation of reservations) {
      const customer = await this.customer(reservation.customerId)
      customer.reservedUnits = Math.max(0, customer.reservedUnits - reservation.units)
      this.touchCustomer(customer)
      if (reservation.runId !== null) {
        const run = await this.run(reservation.runId)
        run.reservedUnits = Math.max(0, run.reservedUnits - reservation.units)
        this.touchRun(run)
      }
    }
  }

  /**
   * Same as {@link releaseHolds}, for reservations just marked expired (by the store's
   * expiry, the sweep, or a read that found one past its time): each is a
   * `reservation.expired` event.
   */
  applyExpired(reservations: readonly ReservationRow[]): Promise<void> {
    if (reservations.length === 0) return Promise.resolve()
    this.outbox.reservationsExpired(reservations)
    return this.releaseHolds(reservations)
  }

  /** Recomputes the period counters of a customer whose period changed or ended. */
  async resetPeriod(row: CustomerRow): Promise<void> {
    const start = periodBounds(row.period, this.now).start
    row.periodStart = start
    row.usedUnits = await this.tx.sumEventUnits(this.projectId, row.customerId, start ?? 0)
    row.grantUnits = await this.tx.sumGrantUnits(this.projectId, row.customerId, start ?? 0)
    this.touchCustomer(row)
  }

  /** Writes every changed row, then the webhook events the changes caused. */
  async flush(): Promise<void> {
    for (const tracked of this.#customers.values()) {
      if (tracked.dirty) {
        await this.tx.updateCustomer(tracked.row)
        tracked.dirty = false
      }
    }
    for (const tracked of this.#runs.values()) {
      if (tracked.dirty) {
        await this.tx.updateRun(tracked.row)
        tracked.dirty = false
      }
    }
    await this.outbox.flush()
  }

  async #rollPeriod(tracked: Tracked<CustomerRow>): Promise<void> {
    const row = tracked.row
    if (row.period === 'none') return
    const start = periodBounds(row.period, this.now).start
    if (row.periodStart === start) return
    await this.resetPeriod(row)
  }
}
