import type { PreflightApproved } from './resources/preflight'
import type { RecordResult } from './resources/record'

/**
 * Where a gated call's agent, customer, run and ceiling come from. Adapters pass what the call
 * itself names (LangChain `metadata`, AI SDK `providerOptions.agentbill`) as `call`, and their own
 * options as `defaults`; the enclosing `bill.run(...)` scope sits between the two.
 */
export interface CallContext {
  agentId?: string
  customerId?: string
  runId?: string
  ceiling?: number
}

/** Arguments of `bill.beginCall`. */
export interface BeginCallParams {
  /** What the call itself names: the most specific context. */
  call?: CallContext
  /** The adapter's options: used when neither the call nor the run scope names a field. */
  defaults?: CallContext
  /** The call's estimate in units (prompt plus output allowance), held until the call ends. */
  estimatedUnits: number
  /**
   * How long the hold lasts if the process dies before `record` or `release`.
   * @default the project's default TTL
   */
  ttlSeconds?: number
  /**
   * One key per logical call: a repeated `beginCall` with the same key (a retried workflow step)
   * gets the first decision back and never holds twice.
   * @default a new random key
   */
  idempotencyKey?: string
}

/** Options of {@link GatedCall.record}. */
export interface GatedCallRecordOptions {
  /** Saved with the event (model, token counts, how the units were measured). */
  metadata?: Record<string, unknown>
}

/**
 * One model call that passed its preflight, holding its estimate. End it exactly once:
 * `record(units)` when the provider answered (settles the hold, charges the actual units), or
 * `release()` when it failed (frees the hold). Further calls do nothing and return the first
 * outcome, so error paths may call `release()` freely.
 */
export interface GatedCall {
  readonly agentId: string
  readonly customerId: string
  /** The run the call belongs to, or `null` when it is a run of its own. */
  readonly runId: string | null
  readonly ceiling: number | null
  /** The preflight that let the call go ahead. */
  readonly preflight: PreflightApproved
  /**
   * How many units this call may use in all — its hold plus whatever the customer's budget and
   * the run's ceiling still allow — before it should be stopped. `Infinity` when nothing bounds it
   * (an unlimited customer without a ceiling, or a degraded answer in fail mode `open`).
   */
  readonly allowanceUnits: number
  /** Whether `record` or `release` has been called. */
  readonly ended: boolean
  /** Records the actual usage, settling the hold. Never loses it: an outage queues it. */
  record(units: number, options?: GatedCallRecordOptions): Promise<RecordResult>
  /** Frees the hold (the provider failed). Errors are reported to `onError`, never thrown. */
  release(): Promise<void>
}
