import { AgentBillAdmin, encodeId } from './admin'
import {
  type AgentBillOptions,
  type ResolvedAgentBillOptions,
  resolveAgentBillOptions,
} from './agent-bill-options'
import { AgentBillAPIError } from './errors/agent-bill-api-error'
import { AgentBillConnectionError } from './errors/agent-bill-connection-error'
import { AgentBillError } from './errors/agent-bill-error'
import { AgentBillValidationError } from './errors/agent-bill-validation-error'
import { BudgetExceededError } from './errors/budget-exceeded-error'
import type { BeginCallParams, GatedCall, GatedCallRecordOptions } from './gated-call'
import { HttpClient } from './http-client'
import { type FlushResult, RecordQueue } from './record-queue'
import type { RequestOptions } from './request-options'
import { type Balance, type BalanceWire, toBalance } from './resources/balance'
import {
  type PreflightApproved,
  type PreflightParams,
  type PreflightResult,
  type PreflightWire,
  preparePreflight,
  toDegradedPreflightResult,
  toPreflightResult,
} from './resources/preflight'
import {
  prepareRecord,
  type RecordParams,
  type RecordResult,
  type RecordWire,
  toRecordAccepted,
  toRecordQueued,
} from './resources/record'
import { type Reservation, type ReservationWire, toReservation } from './resources/reservation'
import { isRetryableStatus } from './retry-delay'
import { currentRun, type RunScope, runInScope } from './run-scope'
import { checkKnownKeys, checkOptionalMetadata, checkUnits } from './validate'

/** Arguments of `bill.run`. */
export interface RunParams {
  /** The agent about to run. */
  agentId: string
  /** @default the client's `defaultCustomerId` */
  customerId?: string
  /** The most units the whole run may use (every call inside it, adapters included). */
  ceiling?: number
  /**
   * Units to hold for the run up front. Without it the run is checked (the customer has budget,
   * the ceiling allows a start) but nothing is held: adapters inside hold per model call.
   */
  estimatedUnits?: number
  /** @default a new `run_…` id */
  runId?: string
  /** How long the up-front hold lasts. @default the project's default TTL */
  ttlSeconds?: number
}

/** The current run, as `bill.run` hands it to its function. */
export interface RunHandle extends RunScope {
  /** The preflight that opened the run. */
  readonly preflight: PreflightApproved
  /**
   * Reports the units the run used (in addition to what adapters inside record themselves); the
   * total reported is recorded when the function returns, or even when it throws.
   */
  report(units: number, metadata?: Record<string, unknown>): void
  /** The units reported so far, or `undefined` when nothing was reported. */
  readonly reportedUnits: number | undefined
}

/** Options of `bill.meter`. */
export interface MeterOptions<Result> extends Omit<RunParams, 'runId'> {
  /** The units one call used: a number, or computed from the function's result. */
  units: number | ((result: Result) => number)
}

/**
 * The AgentBill client: a budget gate before each agent run (`preflight`), usage recorded exactly
 * once after it (`record`).
 *
 * @example
 * const bill = new AgentBill({ apiKey: 'agb_…' })   // or AGENTBILL_API_KEY
 * const check = await bill.preflight({ agentId: 'researcher', customerId: 'user_123', estimatedUnits: 10, ceiling: 20 })
 * if (!check.approved) throw new Error(`Blocked: ${check.reason}`)
 * await bill.record({ agentId: 'researcher', customerId: 'user_123', units: 10, metadata: { model: 'gpt-4o' } })
 */
export class AgentBill {
  /** The management API (needs an `admin` key). */
  readonly admin: AgentBillAdmin
  readonly #options: ResolvedAgentBillOptions
  readonly #http: HttpClient
  readonly #queue: RecordQueue
  readonly #inFlightRecords = new Set<Promise<unknown>>()

  /**
   * @throws {AgentBillConfigurationError} without an API key (option or `AGENTBILL_API_KEY`).
   */
  constructor(options: AgentBillOptions = {}) {
    this.#options = resolveAgentBillOptions(options)
    this.#http = new HttpClient(this.#options)
    this.admin = new AgentBillAdmin(this.#http, newKey)
    this.#queue = new RecordQueue({
      send: (body) =>
        this.#http.send({ method: 'POST', path: '/v1/record', body, options: { maxRetries: 0 } }),
      onError: (error) => this.#options.onError(error),
    })
  }

  /** The server this client talks to. */
  get baseUrl(): string {
    return this.#options.baseUrl
  }

  /** How many records wait in this process for the server to come back. */
  get pendingRecords(): number {
    return this.#queue.size
  }

  /**
   * Asks whether the customer has budget for a run, and may hold the estimate (`reserve`). A
   * blocked answer is a normal result (`approved: false`, with `reason` and `upgradeUrl`), not an
   * error. When the server cannot be reached after the retries, the client's `failMode` decides,
   * and the result says `degraded: true`.
   * @throws {AgentBillValidationError} for a bad argument (nothing is sent).
   * @throws {AgentBillAPIError} when the server refuses the request (bad key, 4xx).
   */
  async preflight(params: PreflightParams, options?: RequestOptions): Promise<PreflightResult> {
    const prepared = preparePreflight(params, {
      customerId: this.#options.defaultCustomerId,
      idempotencyKey: newKey(),
    })
    try {
      const wire = await this.#http.send<PreflightWire>({
        method: 'POST',
        path: '/v1/preflight',
        body: prepared.body,
        options,
      })
      return toPreflightResult(wire, prepared)
    } catch (error) {
      if (isUnavailable(error))
        return toDegradedPreflightResult(prepared, this.#options.failMode, error)
      throw error
    }
  }

  /**
   * Records usage that happened, exactly once per idempotency key. Never refused for lack of
   * budget. When the server cannot be reached after the retries, the event is queued in this
   * process and re-sent with the same key until accepted (`queued: true`; see `flush`).
   * @throws {AgentBillValidationError} for a bad argument (nothing is sent).
   * @throws {AgentBillAPIError} when the server refuses the event (bad key, reused idempotency key
   * with other values).
   */
  async record(params: RecordParams, options?: RequestOptions): Promise<RecordResult> {
    const prepared = prepareRecord(params, {
      customerId: this.#options.defaultCustomerId,
      idempotencyKey: newKey(),
    })
    const attempt = (async (): Promise<RecordResult> => {
      try {
        // While records already wait, the server is known to be down: try once, then queue behind them.
        const retries = this.#queue.size > 0 ? { maxRetries: 0 } : {}
        const wire = await this.#http.send<RecordWire>({
          method: 'POST',
          path: '/v1/record',
          body: prepared.body,
          options: { ...retries, ...options },
        })
        return toRecordAccepted(wire, prepared.idempotencyKey)
      } catch (error) {
        if (!isUnavailable(error)) throw error
        if (this.#queue.size >= this.#options.maxQueuedRecords) {
          throw new AgentBillConnectionError(
            `The AgentBill server is unreachable and ${this.#queue.size} records already wait (maxQueuedRecords)`,
            { cause: error },
          )
        }
        this.#queue.add({ body: prepared.body, idempotencyKey: prepared.idempotencyKey })
        return toRecordQueued(prepared)
      }
    })()
    this.#inFlightRecords.add(attempt)
    try {
      return await attempt
    } finally {
      this.#inFlightRecords.delete(attempt)
    }
  }

  /**
   * Waits for records in flight and re-sends queued ones until the server has them all or
   * `timeoutMs` passes. Call it before the process exits (and at the end of each serverless
   * invocation): records still queued at exit are lost.
   */
  async flush({ timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<FlushResult> {
    await Promise.allSettled([...this.#inFlightRecords])
    return this.#queue.flush(timeoutMs)
  }

  /** Releases a hold (the run failed or was cancelled). Releasing a closed hold changes nothing. */
  async release(reservationId: string, options?: RequestOptions): Promise<Reservation> {
    const path = `/v1/reservations/${encodeId('reservationId', reservationId)}/release`
    return toReservation(await this.#http.send<ReservationWire>({ method: 'POST', path, options }))
  }

  /** Reads a hold and its status (`open`, `settled`, `released`, `expired`). */
  async getReservation(reservationId: string, options?: RequestOptions): Promise<Reservation> {
    const path = `/v1/reservations/${encodeId('reservationId', reservationId)}`
    return toReservation(await this.#http.send<ReservationWire>({ method: 'GET', path, options }))
  }

  /** The customer's balance now (a customer not seen before is created with the free grant). */
  async balance(
    customerId: string = this.#options.defaultCustomerId,
    options?: RequestOptions,
  ): Promise<Balance> {
    const path = `/v1/customers/${encodeId('customerId', customerId)}/balance`
    return toBalance(await this.#http.send<BalanceWire>({ method: 'GET', path, options }))
  }

  /**
   * Runs `callback` as one agent run: preflights it (holding `estimatedUnits` when given), throws
   * {@link BudgetExceededError} when blocked (the callback never runs), and makes the run current
   * for everything the callback awaits, so adapters gate their model calls under the run's id and
   * ceiling. When the callback ends, what it reported with `run.report(units)` is recorded; when
   * nothing was reported the hold is released. A thrown error releases the hold and is rethrown.
   *
   * @example
   * const answer = await bill.run({ agentId: 'researcher', customerId: 'user_123', ceiling: 50 }, async () => {
   *   return agent.invoke(question)   // every model call inside is gated under one ceiling
   * })
   */
  async run<T>(params: RunParams, callback: (run: RunHandle) => T | Promise<T>): Promise<T> {
    checkKnownKeys(
      params,
      ['agentId', 'customerId', 'ceiling', 'estimatedUnits', 'runId', 'ttlSeconds'],
      'run',
    )
    const runId = params.runId ?? `run_${newKey()}`
    const preflight = await this.preflight({
      agentId: params.agentId,
      customerId: params.customerId,
      ceiling: params.ceiling,
      runId,
      ...(params.estimatedUnits === undefined
        ? {}
        : { estimatedUnits: params.estimatedUnits, reserve: true }),
      ...(params.ttlSeconds === undefined ? {} : { ttlSeconds: params.ttlSeconds }),
    })
    const customerId = params.customerId ?? this.#options.defaultCustomerId
    if (!preflight.approved)
      throw new BudgetExceededError(preflight, { customerId, agentId: params.agentId })

    let reportedUnits: number | undefined
    let reportedMetadata: Record<string, unknown> | undefined
    const handle: RunHandle = {
      runId,
      agentId: params.agentId,
      customerId,
      ceiling: params.ceiling,
      preflight,
      get reportedUnits() {
        return reportedUnits
      },
      report(units, metadata) {
        reportedUnits = (reportedUnits ?? 0) + checkUnits('units', units)
        const checked = checkOptionalMetadata('metadata', metadata)
        if (checked !== undefined) reportedMetadata = { ...reportedMetadata, ...checked }
      },
    }
    const finish = async () => {
      if (reportedUnits !== undefined) {
        await this.record({
          agentId: params.agentId,
          customerId,
          units: reportedUnits,
          runId,
          ...(reportedMetadata === undefined ? {} : { metadata: reportedMetadata }),
          ...(preflight.reservationId === null ? {} : { reservationId: preflight.reservationId }),
          idempotencyKey: `${preflight.idempotencyKey}:record`,
        })
      } else if (preflight.reservationId !== null) {
        await this.#releaseQuietly(preflight.reservationId)
      }
    }
    let result: T
    try {
      result = await runInScope(handle, () => callback(handle))
    } catch (error) {
      await finish()
      throw error
    }
    await finish()
    return result
  }

  /**
   * Wraps an async function so every call of it is one metered run (see {@link AgentBill.run}).
   * @example
   * const summarize = bill.meter(summarizeDocument, { agentId: 'summarizer', units: (summary) => summary.tokens })
   */
  meter<Args extends unknown[], Result>(
    fn: (...args: Args) => Promise<Result> | Result,
    options: MeterOptions<Result>,
  ): (...args: Args) => Promise<Result> {
    const { units, ...runParams } = options
    return (...args: Args) =>
      this.run(runParams, async (run) => {
        const result = await fn(...args)
        run.report(typeof units === 'function' ? units(result) : units)
        return result
      })
  }

  /**
   * Begins one gated model call, the lifecycle every adapter follows: resolves its agent, customer,
   * run and ceiling (the call's own, then the current `bill.run` scope, then the adapter's
   * defaults), preflights with a hold of `estimatedUnits`, and throws {@link BudgetExceededError}
   * when blocked — before the provider is called. End the returned call with `record` or `release`.
   */
  async beginCall(params: BeginCallParams): Promise<GatedCall> {
    checkKnownKeys(
      params,
      ['call', 'defaults', 'estimatedUnits', 'ttlSeconds', 'idempotencyKey'],
      'beginCall',
    )
    const scope = currentRun()
    const call = params.call ?? {}
    const defaults = params.defaults ?? {}
    const agentId = call.agentId ?? scope?.agentId ?? defaults.agentId
    if (agentId === undefined) {
      throw new AgentBillValidationError(
        'agentId',
        'no agent id: set agentId in the adapter options, a bill.run scope, or the call',
      )
    }
    const customerId =
      call.customerId ?? scope?.customerId ?? defaults.customerId ?? this.#options.defaultCustomerId
    const runId = call.runId ?? scope?.runId ?? defaults.runId
    const ceiling = call.ceiling ?? scope?.ceiling ?? defaults.ceiling
    const preflight = await this.preflight({
      agentId,
      customerId,
      estimatedUnits: params.estimatedUnits,
      reserve: true,
      ...(runId === undefined ? {} : { runId }),
      ...(ceiling === undefined ? {} : { ceiling }),
      ...(params.ttlSeconds === undefined ? {} : { ttlSeconds: params.ttlSeconds }),
      ...(params.idempotencyKey === undefined ? {} : { idempotencyKey: params.idempotencyKey }),
    })
    if (!preflight.approved) throw new BudgetExceededError(preflight, { customerId, agentId })
    return this.#gatedCall(preflight, {
      agentId,
      customerId,
      runId: runId ?? null,
      ceiling: ceiling ?? null,
    })
  }

  #gatedCall(
    preflight: PreflightApproved,
    context: { agentId: string; customerId: string; runId: string | null; ceiling: number | null },
  ): GatedCall {
    let outcome: Promise<RecordResult | undefined> | undefined
    const recordKey = recordKeyFor(preflight)
    const bill = this
    return {
      ...context,
      preflight,
      allowanceUnits: allowanceOf(preflight),
      get ended() {
        return outcome !== undefined
      },
      async record(units: number, options: GatedCallRecordOptions = {}) {
        checkUnits('units', units)
        outcome ??= bill.record({
          agentId: context.agentId,
          customerId: context.customerId,
          units,
          idempotencyKey: recordKey,
          ...(context.runId === null ? {} : { runId: context.runId }),
          ...(preflight.reservationId === null ? {} : { reservationId: preflight.reservationId }),
          ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
        })
        const result = await outcome
        if (result === undefined)
          throw new AgentBillError('This call was released; its usage cannot be recorded any more')
        return result
      },
      async release() {
        outcome ??= (async () => {
          if (preflight.reservationId !== null) await bill.#releaseQuietly(preflight.reservationId)
          return undefined
        })()
        await outcome
      },
    }
  }

  async #releaseQuietly(reservationId: string): Promise<void> {
    try {
      await this.release(reservationId)
    } catch (error) {
      // The hold lapses at its TTL anyway; a failed release must not hide the caller's own error.
      this.#options.onError(
        AgentBillError.isInstance(error)
          ? error
          : new AgentBillError('Could not release a hold', { cause: error }),
      )
    }
  }
}

function newKey(): string {
  return crypto.randomUUID()
}

/** The record key of a gated call: derived from its decision, so a retried record bills once. */
function recordKeyFor(preflight: PreflightApproved): string {
  const base = preflight.preflightId ?? preflight.idempotencyKey
  return `${base.slice(0, 190)}:record`
}

function allowanceOf(preflight: PreflightApproved): number {
  const held = preflight.reservationId === null ? 0 : preflight.estimatedUnits
  const limits = [preflight.remainingUnits, preflight.runRemainingUnits].filter(
    (value): value is number => value !== null,
  )
  return limits.length === 0 ? Number.POSITIVE_INFINITY : held + Math.min(...limits)
}

function isUnavailable(error: unknown): error is AgentBillError {
  if (AgentBillConnectionError.isInstance(error)) return true
  return AgentBillAPIError.isInstance(error) && isRetryableStatus(error.status)
}
