import type { AgentBillError } from '../errors/agent-bill-error'
import {
  checkIdentifier,
  checkKnownKeys,
  checkOptionalBoolean,
  checkOptionalIdentifier,
  checkOptionalIntegerInRange,
  checkOptionalUnits,
} from '../validate'

/** Why a preflight was blocked. `unavailable`: the server could not be reached (fail mode closed). */
export type BlockReason = 'budget_exhausted' | 'ceiling_exceeded' | 'unavailable'

/** Where the estimate of a preflight came from. */
export type EstimateSource = 'request' | 'history' | 'default'

/** Arguments of `bill.preflight`. */
export interface PreflightParams {
  /** The agent about to run (1–200 printable characters). */
  agentId: string
  /**
   * The customer who pays for the run.
   * @default the client's `defaultCustomerId` ('default')
   */
  customerId?: string
  /**
   * Units the run is expected to use, or `'auto'` for the server's estimate from this agent's
   * recent runs (the 90th percentile of the last 50; 1 without history).
   * @default 1
   */
  estimatedUnits?: number | 'auto'
  /**
   * The most units this run may use. Without `runId` it applies to this estimate alone; with
   * `runId` it covers the whole run (everything recorded and held under that id).
   */
  ceiling?: number
  /** The run this call belongs to; preflights and records with the same id share a ceiling. */
  runId?: string
  /**
   * Hold the estimate until it is settled by a record, released, or expires.
   * @default false
   */
  reserve?: boolean
  /**
   * How long a hold lasts, in seconds (1–86400).
   * @default the project's default (900)
   */
  ttlSeconds?: number
  /**
   * Makes retries of this preflight return the first decision and never hold twice.
   * @default a new random key per call (the same on every automatic retry of the call)
   */
  idempotencyKey?: string
}

const PREFLIGHT_KEYS = [
  'agentId',
  'customerId',
  'estimatedUnits',
  'ceiling',
  'runId',
  'reserve',
  'ttlSeconds',
  'idempotencyKey',
] as const

interface PreflightCommon {
  /** The stored decision's id (`dec_…`); `null` when the server could not be reached. */
  preflightId: string | null
  /**
   * What the customer has left once this estimate is spent; `null` when the customer is
   * unlimited or the server could not be reached.
   */
  remainingUnits: number | null
  /** The estimate the decision used. */
  estimatedUnits: number
  /** Where the estimate came from. */
  estimateSource: EstimateSource
  /**
   * What the run may still use under its ceiling once this estimate is spent; `null` without a
   * ceiling or when the server could not be reached.
   */
  runRemainingUnits: number | null
  /** The run id sent, if any. */
  runId: string | null
  /** The ceiling sent, if any. */
  ceiling: number | null
  /** `true` when the server could not be reached and the answer comes from the fail mode. */
  degraded: boolean
  /** The idempotency key this preflight was sent with. */
  idempotencyKey: string
  /** When `degraded`, the error that made the server unreachable. */
  error?: AgentBillError
}

/** An approved preflight: the run may go on. */
export interface PreflightApproved extends PreflightCommon {
  approved: true
  reason: null
  /** The hold's id (`rsv_…`) when `reserve` was set, else `null`. */
  reservationId: string | null
  /** When the hold expires (ISO 8601), or `null` without a hold. */
  expiresAt: string | null
  upgradeUrl: null
}

/** A blocked preflight: the run must not spend anything. */
export interface PreflightBlocked extends PreflightCommon {
  approved: false
  /** Why it was blocked. */
  reason: BlockReason
  reservationId: null
  expiresAt: null
  /** Where the customer can buy more, when the project has an upgrade URL. */
  upgradeUrl: string | null
}

/** The answer of `bill.preflight`; narrow it with `approved`. */
export type PreflightResult = PreflightApproved | PreflightBlocked

/** `PreflightParams` checked, with the customer and idempotency key filled in. */
export interface PreparedPreflight {
  body: Record<string, unknown>
  agentId: string
  customerId: string
  estimatedUnits: number | 'auto'
  runId: string | null
  ceiling: number | null
  idempotencyKey: string
}

/** Checks `params` and builds the wire body. */
export function preparePreflight(
  params: PreflightParams,
  defaults: { customerId: string; idempotencyKey: string },
): PreparedPreflight {
  checkKnownKeys(params, PREFLIGHT_KEYS, 'preflight')
  const agentId = checkIdentifier('agentId', params.agentId)
  const customerId = checkOptionalIdentifier('customerId', params.customerId) ?? defaults.customerId
  const estimatedUnits =
    params.estimatedUnits === 'auto'
      ? 'auto'
      : checkOptionalUnits('estimatedUnits', params.estimatedUnits)
  const ceiling = checkOptionalUnits('ceiling', params.ceiling)
  const runId = checkOptionalIdentifier('runId', params.runId)
  const reserve = checkOptionalBoolean('reserve', params.reserve)
  const ttlSeconds = checkOptionalIntegerInRange('ttlSeconds', params.ttlSeconds, 1, 86_400)
  const idempotencyKey =
    checkOptionalIdentifier('idempotencyKey', params.idempotencyKey) ?? defaults.idempotencyKey
  const body: Record<string, unknown> = {
    agent_id: agentId,
    customer_id: customerId,
    idempotency_key: idempotencyKey,
  }
  if (estimatedUnits !== undefined) body.estimated_units = estimatedUnits
  if (ceiling !== undefined) body.ceiling = ceiling
  if (runId !== undefined) body.run_id = runId
  if (reserve !== undefined) body.reserve = reserve
  if (ttlSeconds !== undefined) body.ttl_seconds = ttlSeconds
  return {
    body,
    agentId,
    customerId,
    estimatedUnits: estimatedUnits ?? 1,
    runId: runId ?? null,
    ceiling: ceiling ?? null,
    idempotencyKey,
  }
}

/** The preflight answer as the server sends it. */
export interface PreflightWire {
  approved: boolean
  preflight_id: string
  remaining_units: number | null
  estimated_units: number
  estimate_source?: EstimateSource
  reservation_id?: string | null
  expires_at?: string | null
  run_id?: string | null
  ceiling?: number | null
  run_remaining_units?: number | null
  reason?: 'budget_exhausted' | 'ceiling_exceeded' | null
  upgrade_url?: string | null
}

/** Maps the server's answer to a {@link PreflightResult}. */
export function toPreflightResult(
  wire: PreflightWire,
  prepared: PreparedPreflight,
): PreflightResult {
  const common = {
    preflightId: wire.preflight_id,
    remainingUnits: wire.remaining_units ?? null,
    estimatedUnits: wire.estimated_units,
    estimateSource:
      wire.estimate_source ?? (prepared.estimatedUnits === 'auto' ? 'history' : 'request'),
    runRemainingUnits: wire.run_remaining_units ?? null,
    runId: wire.run_id ?? prepared.runId,
    ceiling: wire.ceiling ?? prepared.ceiling,
    degraded: false,
    idempotencyKey: prepared.idempotencyKey,
  }
  if (wire.approved) {
    return {
      ...common,
      approved: true,
      reason: null,
      reservationId: wire.reservation_id ?? null,
      expiresAt: wire.expires_at ?? null,
      upgradeUrl: null,
    }
  }
  return {
    ...common,
    approved: false,
    reason: wire.reason ?? 'budget_exhausted',
    reservationId: null,
    expiresAt: null,
    upgradeUrl: wire.upgrade_url ?? null,
  }
}

/** The answer when the server could not be reached: blocked (`closed`) or approved (`open`). */
export function toDegradedPreflightResult(
  prepared: PreparedPreflight,
  failMode: 'closed' | 'open',
  error: AgentBillError,
): PreflightResult {
  const common = {
    preflightId: null,
    remainingUnits: null,
    estimatedUnits: prepared.estimatedUnits === 'auto' ? 1 : prepared.estimatedUnits,
    estimateSource:
      prepared.estimatedUnits === 'auto' ? ('default' as const) : ('request' as const),
    runRemainingUnits: null,
    runId: prepared.runId,
    ceiling: prepared.ceiling,
    degraded: true,
    idempotencyKey: prepared.idempotencyKey,
    error,
    reservationId: null,
    expiresAt: null,
    upgradeUrl: null,
  }
  return failMode === 'open'
    ? { ...common, approved: true, reason: null }
    : { ...common, approved: false, reason: 'unavailable' }
}
