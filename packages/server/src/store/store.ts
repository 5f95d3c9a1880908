import type { Period } from '../periods.js'
import type { WebhookStoreTransaction } from './webhook-store.js'

/**
 * The storage contract under the ledger. A store keeps rows and runs transactions; it holds no
 * billing rule (those live once, in `src/ledger/`). Every method is async so that a store over
 * the network (PostgreSQL) implements the same interface as the embedded one (SQLite).
 *
 * Times are epoch milliseconds (numbers); units are integers of at most 10^15, which fit a
 * JavaScript number exactly.
 */
export interface Store {
  /**
   * Runs `fn` in a transaction and resolves with its result once the transaction is durable
   * (committed to disk with the store's configured synchronicity). If `fn` throws, none of its
   * writes remain and the promise rejects with the same error. Every request of the HTTP API
   * runs exactly one transaction, so each request's writes are atomic.
   *
   * Rows read by `get…`/`ensure…` calls in a transaction are protected against concurrent
   * change until it ends (SQLite serializes write transactions; PostgreSQL locks the rows
   * `FOR UPDATE`), so read-modify-write in `fn` is safe.
   *
   * `fn` must only await the transaction's own calls (no timers, no network): a store may run
   * several callers' transactions in one database transaction (SQLite's group commit).
   */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>
  /** Resolves `true` when the store answers a trivial query (readiness). */
  ping(): Promise<boolean>
  /** Finishes queued transactions, then releases the database. */
  close(): Promise<void>
}

/** Thrown by a store when a unique key (an idempotency key) was taken by a concurrent writer. */
export class StoreConflictError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StoreConflictError'
  }
}

export interface ProjectRow {
  id: string
  name: string
  freeUnits: number
  upgradeUrl: string | null
  defaultTtlSeconds: number
  createdAt: number
}

export type KeyScope = 'runtime' | 'admin'

export interface ApiKeyRow {
  id: string
  projectId: string
  name: string
  scope: KeyScope
  /** SHA-256 of the key, hex. */
  keyHash: string
  prefix: string
  last4: string
  createdAt: number
  revokedAt: number | null
}

export interface CustomerRow {
  projectId: string
  customerId: string
  /** The project's `free_units` when the customer was first seen: its base allowance. */
  freeUnits: number
  /** Replaces `freeUnits` as the base allowance when set. */
  limitUnits: number | null
  unlimited: boolean
  period: Period
  metadata: Record<string, unknown>
  /** Start of the period the counters below belong to; `null` for period `none`. */
  periodStart: number | null
  /** Recorded units in the current period. */
  usedUnits: number
  /** Units held by open reservations. */
  reservedUnits: number
  /** Granted units counted in the current period (all grants for period `none`). */
  grantUnits: number
  createdAt: number
}

export interface RunRow {
  projectId: string
  runId: string
  /** Fixed by the first preflight that names one. */
  ceiling: number | null
  usedUnits: number
  reservedUnits: number
  createdAt: number
}

export type ReservationStatus = 'open' | 'settled' | 'released' | 'expired'

export interface ReservationRow {
  id: string
  projectId: string
  customerId: string
  agentId: string
  runId: string | null
  units: number
  status: ReservationStatus
  expiresAt: number
  createdAt: number
  closedAt: number | null
}

export type RecordReservationStatus = 'settled' | 'already_closed' | 'not_found'

export interface EventRow {
  id: string
  projectId: string
  customerId: string
  agentId: string
  runId: string | null
  units: number
  metadata: Record<string, unknown>
  idempotencyKey: string | null
  reservationId: string | null
  /** What recording did to `reservationId`, replayed on duplicates. */
  reservationStatus: RecordReservationStatus | null
  /** The customer's remaining units right after this event (null when unlimited). */
  remainingUnits: number | null
  overageUnits: number
  createdAt: number
}

export type EstimateSource = 'request' | 'history' | 'default'
export type DecisionReason = 'budget_exhausted' | 'ceiling_exceeded'

export interface DecisionRow {
  id: string
  projectId: string
  customerId: string
  agentId: string
  runId: string | null
  approved: boolean
  reason: DecisionReason | null
  estimatedUnits: number
  estimateSource: EstimateSource
  ceiling: number | null
  remainingUnits: number | null
  /** What the run (or this call) may still use under the ceiling after this decision. */
  runRemainingUnits: number | null
  reservationId: string | null
  expiresAt: number | null
  idempotencyKey: string | null
  /** A digest of the request's values, to tell a replay from a reused key. */
  requestDigest: string | null
  createdAt: number
}

export interface GrantRow {
  id: string
  projectId: string
  customerId: string
  units: number
  reason: string | null
  idempotencyKey: string | null
  createdAt: number
}

/** A page request: newest first for events and decisions, by customer id for customers. */
export interface PageOptions {
  limit: number
  /** The id (customer id for customers) of the last item of the previous page. */
  startingAfter?: string | undefined
}

/** A page of customers, optionally only those whose id contains `search`. */
export interface CustomerListOptions extends PageOptions {
  /**
   * Only customers whose id contains this text. ASCII letters match either case; every other
   * character matches only itself (`%` and `_` are plain characters, not wildcards).
   */
  search?: string | undefined
}

export interface ActivityFilter extends PageOptions {
  customerId?: string | undefined
  agentId?: string | undefined
  runId?: string | undefined
  /** Inclusive, epoch ms. */
  since?: number | undefined
  /** Exclusive, epoch ms. */
  until?: number | undefined
  /**
   * A hint that comes with `since`: no row the ledger wrote with `created_at >= since` has an
   * id below this (an id's time part is never before its `created_at`). A store may add
   * `id >= minId` to bound its scan by the primary key (the last 14 days then cost 14 days of
   * rows, not the whole history), or ignore it; the answer is the same.
   */
  minId?: string | undefined
}

export interface DecisionFilter extends ActivityFilter {
  approved?: boolean | undefined
}

export type UsageDimension = 'agent' | 'customer' | 'day'

export interface UsageQuery {
  groupBy: UsageDimension[]
  since?: number | undefined
  until?: number | undefined
  /** Only this customer's events. */
  customerId?: string | undefined
  /** Only this agent's events. */
  agentId?: string | undefined
  /** As {@link ActivityFilter.minId}. */
  minId?: string | undefined
}

export interface UsageRow {
  /** `YYYY-MM-DD` (UTC) when grouped by day. */
  day?: string
  agentId?: string
  customerId?: string
  units: number
  events: number
}

export type DecisionDimension = 'agent' | 'customer' | 'day' | 'reason'

/** Counts of decisions, grouped (the dashboard's blocked-preflight charts). */
export interface DecisionSummaryQuery {
  groupBy: DecisionDimension[]
  /** Only approved (true) or blocked (false) decisions. */
  approved?: boolean | undefined
  /** Inclusive, epoch ms. */
  since?: number | undefined
  /** Exclusive, epoch ms. */
  until?: number | undefined
  customerId?: string | undefined
  agentId?: string | undefined
  /** As {@link ActivityFilter.minId}. */
  minId?: string | undefined
}

export interface DecisionSummaryRow {
  /** `YYYY-MM-DD` (UTC) when grouped by day. */
  day?: string
  agentId?: string
  customerId?: string
  /** When grouped by reason: `null` for approved decisions. */
  reason?: DecisionReason | null
  /** How many decisions. */
  decisions: number
  /** Sum of their estimates. */
  estimatedUnits: number
}

/**
 * A signed-in dashboard browser. The token itself lives only in the browser's cookie; the
 * store keeps its hash. The session acts with the admin key that signed in, so revoking that
 * key ends it at once.
 */
export interface SessionRow {
  /** SHA-256 of the session token, hex. */
  tokenHash: string
  projectId: string
  /** The admin key that signed in. */
  keyId: string
  createdAt: number
  expiresAt: number
}

/** Which open reservations past their expiry to close (all projects when no project). */
export interface ExpireFilter {
  projectId?: string | undefined
  customerId?: string | undefined
  runId?: string | undefined
  /** Reservations with `expiresAt <= now` expire. */
  now: number
  /** At most this many (the background sweep works in slices). */
  limit?: number | undefined
}

/**
 * The operations a transaction offers: plain row reads and writes, nothing that knows about
 * budgets. Lists return `limit + 1` rows at most so the caller can tell `has_more`.
 */
export interface StoreTransaction {
  countProjects(): Promise<number>
  insertProject(row: ProjectRow): Promise<void>
  getProject(id: string): Promise<ProjectRow | undefined>
  updateProject(row: ProjectRow): Promise<void>

  insertApiKey(row: ApiKeyRow): Promise<void>
  /** The key with this hash and its project, revoked or not. */
  findApiKeyByHash(keyHash: string): Promise<{ key: ApiKeyRow; project: ProjectRow } | undefined>
  getApiKey(projectId: string, id: string): Promise<ApiKeyRow | undefined>
  listApiKeys(projectId: string): Promise<ApiKeyRow[]>
  revokeApiKey(projectId: string, id: string, revokedAt: number): Promise<void>

  /** The customer, inserting `row` first when there is none (either way locked for update). */
  ensureCustomer(row: CustomerRow): Promise<CustomerRow>
  getCustomer(projectId: string, customerId: string): Promise<CustomerRow | undefined>
  updateCustomer(row: CustomerRow): Promise<void>
  listCustomers(projectId: string, page: CustomerListOptions): Promise<CustomerRow[]>

  ensureRun(row: RunRow): Promise<RunRow>
  getRun(projectId: string, runId: string): Promise<RunRow | undefined>
  updateRun(row: RunRow): Promise<void>

  insertReservation(row: ReservationRow): Promise<void>
  getReservation(projectId: string, id: string): Promise<ReservationRow | undefined>
  /** Closes an open reservation (`settled`, `released` or `expired`). */
  closeReservation(
    projectId: string,
    id: string,
    status: Exclude<ReservationStatus, 'open'>,
    closedAt: number,
  ): Promise<void>
  /** Marks open reservations past their expiry `expired` and returns them (as they were). */
  expireReservations(filter: ExpireFilter): Promise<ReservationRow[]>

  insertEvent(row: EventRow): Promise<void>
  findEventByIdempotencyKey(projectId: string, key: string): Promise<EventRow | undefined>
  listEvents(projectId: string, filter: ActivityFilter): Promise<EventRow[]>
  /** Units of the agent's most recent events, newest first. */
  recentEventUnits(projectId: string, agentId: string, count: number): Promise<number[]>
  /** Sum of a customer's event units created at or after `since`. */
  sumEventUnits(projectId: string, customerId: string, since: number): Promise<number>

  insertDecision(row: DecisionRow): Promise<void>
  findDecisionByIdempotencyKey(projectId: string, key: string): Promise<DecisionRow | undefined>
  listDecisions(projectId: string, filter: DecisionFilter): Promise<DecisionRow[]>

  insertGrant(row: GrantRow): Promise<void>
  findGrantByIdempotencyKey(projectId: string, key: string): Promise<GrantRow | undefined>
  /** Sum of a customer's grant units created at or after `since`. */
  sumGrantUnits(projectId: string, customerId: string, since: number): Promise<number>

  usage(projectId: string, query: UsageQuery): Promise<UsageRow[]>
  /** Decision counts grouped by the query's dimensions, ordered by them. */
  decisionSummary(projectId: string, query: DecisionSummaryQuery): Promise<DecisionSummaryRow[]>

  insertSession(row: SessionRow): Promise<void>
  /** The session with this token hash, its key and its project (expired or revoked included). */
  findSessionByHash(
    tokenHash: string,
  ): Promise<{ session: SessionRow; key: ApiKeyRow; project: ProjectRow } | undefined>
  deleteSession(tokenHash: string): Promise<void>
  /** Deletes up to `limit` sessions whose `expiresAt <= now`; resolves how many went. */
  deleteExpiredSessions(now: number, limit: number): Promise<number>

  /** Webhook endpoints, the outbox of events, deliveries and their attempts. */
  readonly webhooks: WebhookStoreTransaction
}
