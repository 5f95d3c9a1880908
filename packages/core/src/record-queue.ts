import { AgentBillAPIError } from './errors/agent-bill-api-error'
import type { AgentBillError } from './errors/agent-bill-error'
import { isRetryableStatus } from './retry-delay'
import { sleep } from './sleep'

/** One record waiting for the server, with the body (and idempotency key) it was first sent with. */
export interface QueuedRecord {
  body: Record<string, unknown>
  idempotencyKey: string
  queuedAt: number
  attempts: number
}

/** What `flush` reports. */
export interface FlushResult {
  /** Records the server accepted during this flush. */
  delivered: number
  /** Records still waiting (the server is still unreachable, or the timeout came first). */
  pending: number
}

const FIRST_REDELIVERY_MS = 1000
const MAX_REDELIVERY_MS = 30_000

/**
 * Keeps records the server could not take and re-sends them, with the same idempotency key, until
 * it accepts them — so usage is never lost to an outage, and never counted twice (the server
 * answers a re-sent key with the first event). Lives in memory: what is still queued when the
 * process exits is lost, so call `flush()` before exiting.
 */
export class RecordQueue {
  readonly #send: (body: Record<string, unknown>) => Promise<unknown>
  readonly #onError: (error: AgentBillError, record: QueuedRecord) => void
  readonly #items: QueuedRecord[] = []
  #timer: ReturnType<typeof setTimeout> | undefined
  #round: Promise<void> | undefined
  #failures = 0

  constructor(options: {
    send: (body: Record<string, unknown>) => Promise<unknown>
    onError: (error: AgentBillError, record: QueuedRecord) => void
  }) {
    this.#send = options.send
    this.#onError = options.onError
  }

  /** How many records wait. */
  get size(): number {
    return this.#items.length
  }

  /** Queues a record and schedules a re-send. */
  add(record: Omit<QueuedRecord, 'queuedAt' | 'attempts'>): void {
    this.#items.push({ ...record, queuedAt: Date.now(), attempts: 0 })
    this.#schedule()
  }

  /**
   * Re-sends every queued record now, and again with backoff until none is left or `timeoutMs`
   * has passed.
   */
  async flush(timeoutMs: number): Promise<FlushResult> {
    const deadline = Date.now() + timeoutMs
    let delivered = 0
    while (this.#items.length > 0) {
      delivered += await this.#runRound()
      if (this.#items.length === 0) break
      const wait = Math.min(this.#backoff(), deadline - Date.now())
      if (wait <= 0) break
      await sleep(wait)
    }
    return { delivered, pending: this.#items.length }
  }

  #backoff(): number {
    return Math.min(FIRST_REDELIVERY_MS * 2 ** Math.max(0, this.#failures - 1), MAX_REDELIVERY_MS)
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#items.length === 0) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#runRound().then(() => this.#schedule())
    }, this.#backoff())
    // A queued record must not keep a process alive on its own: exiting is the caller's choice,
    // and `flush()` is how to wait for delivery.
    const timer = this.#timer as { unref?: () => void }
    timer.unref?.()
  }

  /** One pass over the queue; concurrent callers share the pass. Answers how many were delivered. */
  #runRound(): Promise<number> {
    if (this.#round !== undefined) return this.#round.then(() => 0)
    let delivered = 0
    this.#round = (async () => {
      for (const record of [...this.#items]) {
        record.attempts++
        try {
          await this.#send(record.body)
          this.#remove(record)
          delivered++
          this.#failures = 0
        } catch (error) {
          if (
            AgentBillAPIError.isInstance(error) &&
            !isRetryableStatus(error.status) &&
            error.status !== 401 &&
            error.status !== 403
          ) {
            // The server will never accept this body (it refused it outright): keeping it would
            // retry forever. Report it instead of dropping it silently.
            this.#remove(record)
            this.#onError(error, record)
            continue
          }
          this.#failures++
          this.#onError(error as AgentBillError, record)
          // The server is still unreachable: stop this pass, the rest would fail the same way.
          break
        }
      }
    })().finally(() => {
      this.#round = undefined
    })
    return this.#round.then(() => delivered)
  }

  #remove(record: QueuedRecord): void {
    const index = this.#items.indexOf(record)
    if (index >= 0) this.#items.splice(index, 1)
  }
}
