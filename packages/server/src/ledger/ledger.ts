import { createHash } from 'node:crypto'
import { generateApiKey } from '../api-key.js'
import { ApiError } from '../errors/api-error.js'
import { createId, idLowerBound } from '../ids.js'
import type {
  ApiKey,
  CreatedApiKey,
  Customer,
  Decision,
  DecisionSummary,
  Event,
  Grant,
  List,
  PreflightResponse,
  Project,
  RecordResponse,
  RegisterResponse,
  Reservation,
  Run,
  UsageResponse,
} from '../schemas/objects.js'
import type {
  CustomerListQuery,
  CustomerUpdate,
  DecisionListQuery,
  DecisionSummaryQueryInput,
  EventListQuery,
  GrantRequest,
  KeyCreate,
  PreflightRequest,
  ProjectUpdate,
  RecordRequest,
  RegisterRequest,
  UsageQueryInput,
} from '../schemas/requests.js'
import type {
  ApiKeyRow,
  DecisionDimension,
  DecisionRow,
  EstimateSource,
  EventRow,
  KeyScope,
  ProjectRow,
  ReservationRow,
  StoreTransaction,
  UsageDimension,
} from '../store/store.js'
import { StoreConflictError } from '../store/store.js'
import { LedgerSession } from './ledger-session.js'
import { percentile } from './percentile.js'
import type { WebhookSignal } from './webhook-outbox.js'
import {
  iso,
  ledgerFigures,
  toApiKey,
  toBalance,
  toCustomer,
  toDecision,
  toEvent,
  toGrant,
  toProject,
  toReservation,
  toRun,
} from './wire.js'

/** The project a request acts for and the server's clock for it. */
export interface LedgerContext {
  project: ProjectRow
  /** Server time, epoch ms. Never the client's. */
  now: number
  /** Told when the request wrote webhook deliveries (the worker then looks at once). */
  webhookSignal?: WebhookSignal | undefined
}

/** The session of one request's ledger work. */
function sessionOf(tx: StoreTransaction, context: LedgerContext): LedgerSession {
  return new LedgerSession(tx, context.project, context.now, context.webhookSignal)
}

/** Defaults of a new project. */
export const PROJECT_DEFAULTS = { freeUnits: 1000, defaultTtlSeconds: 900 } as const

/** How many recent records `estimated_units: "auto"` looks at, and the percentile it takes. */
export const AUTO_ESTIMATE = { window: 50, percentile: 0.9 } as const

const DEFAULT_CUSTOMER = 'default'

/** The result of a write that may be an idempotent replay. */
export interface Replayable<Body> {
  /** True when an earlier request with the same key produced `body`. */
  replay: boolean
  body: Body
}

/**
 * Counters stay exact JavaScript integers: a write that would take one past 2^53 − 1 (about
 * nine maximal records) is refused as invalid input rather than stored imprecisely.
 */
function assertCounter(total: number, param: string): void {
  if (total > Number.MAX_SAFE_INTEGER) {
    throw new ApiError(
      'invalid_request',
      `This would take a running total past ${Number.MAX_SAFE_INTEGER} units`,
      { param },
    )
  }
}

function digest(values: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(values)).digest('base64url')
}

function notFound(what: string, param: string | null = null): ApiError {
  return new ApiError('not_found', `No such ${what}`, { param })
}

/** Inserts guarded by a unique idempotency key: a concurrent twin becomes a 409. */
async function guardConflict(write: () => Promise<void>): Promise<void> {
  try {
    await write()
  } catch (error) {
    if (error instanceof StoreConflictError) {
      throw new ApiError(
        'conflict',
        'A request with this idempotency key is being processed; retry shortly',
        { param: 'idempotency_key' },
      )
    }
    throw error
  }
}

async function resolveEstimate(
  tx: StoreTransaction,
  projectId: string,
  agentId: string,
  requested: number | 'auto' | undefined,
): Promise<{ units: number; source: EstimateSource }> {
  if (typeof requested === 'number') return { units: requested, source: 'request' }
  if (requested === undefined) return { units: 1, source: 'default' }
  const recent = await tx.recentEventUnits(projectId, agentId, AUTO_ESTIMATE.window)
  const value = percentile(recent, AUTO_ESTIMATE.percentile)
  return value === undefined ? { units: 1, source: 'default' } : { units: value, source: 'history' }
}

function upgradeUrlFor(project: ProjectRow, customerId: string): string | null {
  if (project.upgradeUrl === null) return null
  return project.upgradeUrl.replaceAll('{customer_id}', encodeURIComponent(customerId))
}

function preflightBody(project: ProjectRow, row: DecisionRow): PreflightResponse {
  return {
    approved: row.approved,
    preflight_id: row.id,
    remaining_units: row.remainingUnits,
    estimated_units: row.estimatedUnits,
    estimate_source: row.estimateSource,
    reservation_id: row.reservationId,
    expires_at: row.expiresAt === null ? null : iso(row.expiresAt),
    run_id: row.runId,
    reason: row.reason,
    upgrade_url: row.approved ? null : upgradeUrlFor(project, row.customerId),
    ceiling: row.ceiling,
    run_remaining_units: row.runRemainingUnits,
  }
}

/**
 * `POST /v1/preflight`: ceiling, then budget, then (optionally) a hold. Every decision is
 * stored; a repeated idempotency key answers the first decision and never holds twice.
 */
export async function preflight(
  tx: StoreTransaction,
  context: LedgerContext,
  request: PreflightRequest,
): Promise<Replayable<PreflightResponse>> {
  const { project, now } = context
  const customerId = request.customer_id ?? DEFAULT_CUSTOMER
  const reserve = request.reserve ?? false
  const requestDigest = digest([
    request.agent_id,
    customerId,
    request.estimated_units ?? null,
    request.ceiling ?? null,
    request.run_id ?? null,
    reserve,
    request.ttl_seconds ?? null,
  ])
  if (request.idempotency_key !== undefined) {
    const first = await tx.findDecisionByIdempotencyKey(project.id, request.idempotency_key)
    if (first !== undefined) {
      if (first.requestDigest !== requestDigest) {
        throw new ApiError(
          'idempotency_conflict',
          'This idempotency key was used with other values',
          { param: 'idempotency_key' },
        )
      }
      return { replay: true, body: preflightBody(project, first) }
    }
  }

  const session = sessionOf(tx, context)
  const estimate = await resolveEstimate(tx, project.id, request.agent_id, request.estimated_units)
  const customer = await session.customer(customerId)
  const run = request.run_id === undefined ? undefined : await session.checkedRun(request.run_id)
  if (run !== undefined && run.ceiling === null && request.ceiling !== undefined) {
    // The first preflight that names a ceiling fixes it for the whole run.
    run.ceiling = request.ceiling
    session.touchRun(run)
  }
  const ceiling = run === undefined ? (request.ceiling ?? null) : run.ceiling
  const remaining = ledgerFigures(customer).remaining

  let reason: DecisionRow['reason'] = null
  const runSpent = run === undefined ? 0 : run.usedUnits + run.reservedUnits
  if (ceiling !== null && runSpent + estimate.units > ceiling) reason = 'ceiling_exceeded'
  if (reason === null && remaining !== null && estimate.units > remaining) {
    reason = 'budget_exhausted'
  }
  const approved = reason === null

  let reservation: ReservationRow | undefined
  if (approved && reserve) {
    assertCounter(customer.reservedUnits + estimate.units, 'estimated_units')
    if (run !== undefined) assertCounter(run.reservedUnits + estimate.units, 'estimated_units')
    const ttlSeconds = request.ttl_seconds ?? project.defaultTtlSeconds
    reservation = {
      id: createId('rsv', now),
      projectId: project.id,
      customerId,
      agentId: request.agent_id,
      runId: request.run_id ?? null,
      units: estimate.units,
      status: 'open',
      expiresAt: now + ttlSeconds * 1000,
      createdAt: now,
      closedAt: null,
    }
    await tx.insertReservation(reservation)
    customer.reservedUnits += estimate.units
    session.touchCustomer(customer)
    if (run !== undefined) {
      run.reservedUnits += estimate.units
      session.touchRun(run)
    }
  }

  const decision: DecisionRow = {
    id: createId('dec', now),
    projectId: project.id,
    customerId,
    agentId: request.agent_id,
    runId: request.run_id ?? null,
    approved,
    reason,
    estimatedUnits: estimate.units,
    estimateSource: estimate.source,
    ceiling,
    remainingUnits:
      remaining === null ? null : approved ? Math.max(0, remaining - estimate.units) : remaining,
    runRemainingUnits:
      ceiling === null ? null : Math.max(0, ceiling - runSpent - (approved ? estimate.units : 0)),
    reservationId: reservation?.id ?? null,
    expiresAt: reservation?.expiresAt ?? null,
    idempotencyKey: request.idempotency_key ?? null,
    requestDigest,
    createdAt: now,
  }
  await guardConflict(() => tx.insertDecision(decision))
  if (!approved) session.outbox.preflightBlocked(decision, run)
  await session.flush()
  return { replay: false, body: preflightBody(project, decision) }
}

function recordBody(row: EventRow, duplicate: boolean): RecordResponse {
  return {
    recorded: true,
    duplicate,
    event_id: row.id,
    units: row.units,
    remaining_units: row.remainingUnits,
    overage_units: row.overageUnits,
    reservation_status: row.reservationStatus,
  }
}

/**
 * `POST /v1/record`: usage is always recorded (never refused for budget), exactly once per
 * idempotency key; a reservation named is settled (its hold released, `units` charged).
 */
export async function record(
  tx: StoreTransaction,
  context: LedgerContext,
  request: RecordRequest,
): Promise<Replayable<RecordResponse>> {
  const { project, now } = context
  const customerId = request.customer_id ?? DEFAULT_CUSTOMER
  const units = request.units ?? 1
  if (request.idempotency_key !== undefined) {
    const first = await tx.findEventByIdempotencyKey(project.id, request.idempotency_key)
    if (first !== undefined) {
      if (
        first.customerId !== customerId ||
        first.agentId !== request.agent_id ||
        first.units !== units
      ) {
        throw new ApiError(
          'idempotency_conflict',
          'This idempotency key was used with another customer_id, agent_id or units',
          { param: 'idempotency_key' },
        )
      }
      return { replay: true, body: recordBody(first, true) }
    }
  }

  const session = sessionOf(tx, context)
  const customer = await session.customer(customerId)
  let reservationStatus: EventRow['reservationStatus'] = null
  let runId = request.run_id ?? null
  if (request.reservation_id !== undefined) {
    const reservation = await tx.getReservation(project.id, request.reservation_id)
    if (reservation === undefined) reservationStatus = 'not_found'
    else {
      runId ??= reservation.runId
      if (reservation.status !== 'open') reservationStatus = 'already_closed'
      else if (reservation.expiresAt <= now) {
        await tx.closeReservation(project.id, reservation.id, 'expired', now)
        await session.applyExpired([reservation])
        reservationStatus = 'already_closed'
      } else {
        await tx.closeReservation(project.id, reservation.id, 'settled', now)
        await session.releaseHolds([reservation])
        reservationStatus = 'settled'
      }
    }
  }
  assertCounter(customer.usedUnits + units, 'units')
  const usedBefore = customer.usedUnits
  customer.usedUnits += units
  session.touchCustomer(customer)
  session.outbox.usageRecorded(customer, usedBefore)
  if (runId !== null) {
    const run = await session.run(runId)
    assertCounter(run.usedUnits + units, 'units')
    const runUsedBefore = run.usedUnits
    run.usedUnits += units
    session.touchRun(run)
    session.outbox.runUsageRecorded(run, runUsedBefore, customerId, request.agent_id)
  }
  const figures = ledgerFigures(customer)
  const event: EventRow = {
    id: createId('evt', now),
    projectId: project.id,
    customerId,
    agentId: request.agent_id,
    runId,
    units,
    metadata: request.metadata ?? {},
    idempotencyKey: request.idempotency_key ?? null,
    reservationId: request.reservation_id ?? null,
    reservationStatus,
    remainingUnits: figures.remaining,
    overageUnits: figures.overage,
    createdAt: now,
  }
  await guardConflict(() => tx.insertEvent(event))
  await session.flush()
  return { replay: false, body: recordBody(event, false) }
}

/** Loads a reservation, expiring it first when it is open past its expiry. */
async function currentReservation(session: LedgerSession, id: string): Promise<ReservationRow> {
  const reservation = await session.tx.getReservation(session.projectId, id)
  if (reservation === undefined) throw notFound('reservation', 'id')
  if (reservation.status === 'open' && reservation.expiresAt <= session.now) {
    await session.tx.closeReservation(session.projectId, id, 'expired', session.now)
    await session.applyExpired([reservation])
    return { ...reservation, status: 'expired', closedAt: session.now }
  }
  return reservation
}

/** `GET /v1/reservations/{id}`. */
export async function getReservation(
  tx: StoreTransaction,
  context: LedgerContext,
  id: string,
): Promise<Reservation> {
  const session = sessionOf(tx, context)
  const reservation = await currentReservation(session, id)
  await session.flush()
  return toReservation(reservation)
}

/** `POST /v1/reservations/{id}/release`: gives an open hold back; otherwise changes nothing. */
export async function releaseReservation(
  tx: StoreTransaction,
  context: LedgerContext,
  id: string,
): Promise<Reservation> {
  const session = sessionOf(tx, context)
  const reservation = await currentReservation(session, id)
  if (reservation.status !== 'open') {
    await session.flush()
    return toReservation(reservation)
  }
  await tx.closeReservation(context.project.id, id, 'released', context.now)
  await session.releaseHolds([reservation])
  await session.flush()
  return toReservation({ ...reservation, status: 'released', closedAt: context.now })
}

/** `GET /v1/customers/{customer_id}/balance` (creates the customer on first sight). */
export async function getBalance(tx: StoreTransaction, context: LedgerContext, customerId: string) {
  const session = sessionOf(tx, context)
  const customer = await session.customer(customerId)
  await session.flush()
  return toBalance(customer, context.now)
}

/** `GET /v1/customers/{customer_id}`. */
export async function getCustomer(
  tx: StoreTransaction,
  context: LedgerContext,
  customerId: string,
): Promise<Customer> {
  const session = sessionOf(tx, context)
  const customer = await session.customer(customerId)
  await session.flush()
  return toCustomer(customer, context.now)
}

/** `GET /v1/customers`: by customer id, each brought up to date (expiry, period). */
export async function listCustomers(
  tx: StoreTransaction,
  context: LedgerContext,
  page: CustomerListQuery,
): Promise<List<Customer>> {
  const limit = page.limit ?? 50
  const rows = await tx.listCustomers(context.project.id, {
    limit,
    startingAfter: page.starting_after,
    search: page.search,
  })
  const session = sessionOf(tx, context)
  const data: Customer[] = []
  for (const row of rows.slice(0, limit)) {
    data.push(toCustomer(await session.customer(row.customerId), context.now))
  }
  await session.flush()
  return { object: 'list', data, has_more: rows.length > limit }
}

/** `PATCH /v1/customers/{customer_id}`: limits, unlimited, period, metadata (creates it). */
export async function updateCustomer(
  tx: StoreTransaction,
  context: LedgerContext,
  customerId: string,
  update: CustomerUpdate,
): Promise<Customer> {
  const session = sessionOf(tx, context)
  const customer = await session.customer(customerId)
  if (update.limit_units !== undefined) customer.limitUnits = update.limit_units
  if (update.unlimited !== undefined) customer.unlimited = update.unlimited
  if (update.metadata !== undefined) customer.metadata = update.metadata
  session.touchCustomer(customer)
  if (update.period !== undefined && update.period !== customer.period) {
    customer.period = update.period
    // `used` and the period's grants now count from the new period's start (all time for none).
    await session.resetPeriod(customer)
  }
  await session.flush()
  return toCustomer(customer, context.now)
}

/** `POST /v1/customers/{customer_id}/grants`: a top-up, once per idempotency key. */
export async function createGrant(
  tx: StoreTransaction,
  context: LedgerContext,
  customerId: string,
  request: GrantRequest,
): Promise<Replayable<Grant>> {
  const { project, now } = context
  if (request.idempotency_key !== undefined) {
    const first = await tx.findGrantByIdempotencyKey(project.id, request.idempotency_key)
    if (first !== undefined) {
      if (
        first.customerId !== customerId ||
        first.units !== request.units ||
        first.reason !== (request.reason ?? null)
      ) {
        throw new ApiError(
          'idempotency_conflict',
          'This idempotency key was used with another customer, units or reason',
          { param: 'idempotency_key' },
        )
      }
      return { replay: true, body: toGrant(first) }
    }
  }
  const session = sessionOf(tx, context)
  const customer = await session.customer(customerId)
  const grant = {
    id: createId('gnt', now),
    projectId: project.id,
    customerId,
    units: request.units,
    reason: request.reason ?? null,
    idempotencyKey: request.idempotency_key ?? null,
    createdAt: now,
  }
  assertCounter(customer.grantUnits + request.units, 'units')
  await guardConflict(() => tx.insertGrant(grant))
  customer.grantUnits += request.units
  session.touchCustomer(customer)
  session.outbox.grantCreated(grant)
  await session.flush()
  return { replay: false, body: toGrant(grant) }
}

function timeFilter(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Date.parse(value)
}

/**
 * The id bound a `since` implies for rows this ledger wrote (see `ActivityFilter.minId`): lets
 * the store skip older rows by primary key, so "the last 14 days" costs the rows of 14 days.
 */
function minIdFor(prefix: 'evt' | 'dec', since: string | undefined): string | undefined {
  return since === undefined ? undefined : idLowerBound(prefix, Date.parse(since))
}

/** `GET /v1/events`: newest first. */
export async function listEvents(
  tx: StoreTransaction,
  context: LedgerContext,
  query: EventListQuery,
): Promise<List<Event>> {
  const limit = query.limit ?? 50
  const rows = await tx.listEvents(context.project.id, {
    limit,
    startingAfter: query.starting_after,
    customerId: query.customer_id,
    agentId: query.agent_id,
    runId: query.run_id,
    since: timeFilter(query.since),
    until: timeFilter(query.until),
    minId: minIdFor('evt', query.since),
  })
  return { object: 'list', data: rows.slice(0, limit).map(toEvent), has_more: rows.length > limit }
}

/** `GET /v1/decisions`: newest first. */
export async function listDecisions(
  tx: StoreTransaction,
  context: LedgerContext,
  query: DecisionListQuery,
): Promise<List<Decision>> {
  const limit = query.limit ?? 50
  const rows = await tx.listDecisions(context.project.id, {
    limit,
    startingAfter: query.starting_after,
    customerId: query.customer_id,
    agentId: query.agent_id,
    runId: query.run_id,
    since: timeFilter(query.since),
    until: timeFilter(query.until),
    minId: minIdFor('dec', query.since),
    approved: query.approved === undefined ? undefined : query.approved === 'true',
  })
  return {
    object: 'list',
    data: rows.slice(0, limit).map(toDecision),
    has_more: rows.length > limit,
  }
}

/** `GET /v1/usage`: sums of recorded units grouped by one or two dimensions. */
export async function usage(
  tx: StoreTransaction,
  context: LedgerContext,
  query: UsageQueryInput,
): Promise<UsageResponse> {
  const groupBy = (query.group_by ?? 'day').split(',') as UsageDimension[]
  const rows = await tx.usage(context.project.id, {
    groupBy,
    since: timeFilter(query.since),
    until: timeFilter(query.until),
    customerId: query.customer_id,
    agentId: query.agent_id,
    minId: minIdFor('evt', query.since),
  })
  return {
    group_by: groupBy,
    data: rows.map((row) => ({
      ...(row.day === undefined ? {} : { day: row.day }),
      ...(row.agentId === undefined ? {} : { agent_id: row.agentId }),
      ...(row.customerId === undefined ? {} : { customer_id: row.customerId }),
      units: row.units,
      events: row.events,
    })),
  }
}

/** `GET /v1/decisions/summary`: decision counts grouped by one or two dimensions. */
export async function decisionSummary(
  tx: StoreTransaction,
  context: LedgerContext,
  query: DecisionSummaryQueryInput,
): Promise<DecisionSummary> {
  const groupBy = (query.group_by ?? 'day').split(',') as DecisionDimension[]
  const rows = await tx.decisionSummary(context.project.id, {
    groupBy,
    approved: query.approved === undefined ? undefined : query.approved === 'true',
    since: timeFilter(query.since),
    until: timeFilter(query.until),
    customerId: query.customer_id,
    agentId: query.agent_id,
    minId: minIdFor('dec', query.since),
  })
  return {
    group_by: groupBy,
    data: rows.map((row) => ({
      ...(row.day === undefined ? {} : { day: row.day }),
      ...(row.agentId === undefined ? {} : { agent_id: row.agentId }),
      ...(row.customerId === undefined ? {} : { customer_id: row.customerId }),
      ...(row.reason === undefined ? {} : { reason: row.reason }),
      decisions: row.decisions,
      estimated_units: row.estimatedUnits,
    })),
  }
}

/** `GET /v1/runs/{run_id}`: the run's counters under its ceiling (holds past expiry given back). */
export async function getRun(
  tx: StoreTransaction,
  context: LedgerContext,
  runId: string,
): Promise<Run> {
  // Reading must not create a run: look first, then bring the existing one up to date.
  if ((await tx.getRun(context.project.id, runId)) === undefined) throw notFound('run', 'run_id')
  const session = sessionOf(tx, context)
  const run = await session.checkedRun(runId)
  await session.flush()
  return toRun(run)
}

async function insertKey(
  tx: StoreTransaction,
  projectId: string,
  name: string,
  scope: KeyScope,
  now: number,
): Promise<CreatedApiKey> {
  const generated = generateApiKey()
  const row: ApiKeyRow = {
    id: createId('key', now),
    projectId,
    name,
    scope,
    keyHash: generated.hash,
    prefix: generated.prefix,
    last4: generated.last4,
    createdAt: now,
    revokedAt: null,
  }
  await tx.insertApiKey(row)
  return { ...toApiKey(row), key: generated.key }
}

/** `POST /v1/keys`: the secret is in this answer only. */
export function createKey(
  tx: StoreTransaction,
  context: LedgerContext,
  request: KeyCreate,
): Promise<CreatedApiKey> {
  return insertKey(tx, context.project.id, request.name, request.scope ?? 'runtime', context.now)
}

/** `GET /v1/keys`. */
export async function listKeys(
  tx: StoreTransaction,
  context: LedgerContext,
): Promise<List<ApiKey>> {
  const rows = await tx.listApiKeys(context.project.id)
  return { object: 'list', data: rows.map(toApiKey), has_more: false }
}

/** `DELETE /v1/keys/{id}`: revoked at once (no cache holds keys). */
export async function revokeKey(
  tx: StoreTransaction,
  context: LedgerContext,
  id: string,
): Promise<ApiKey> {
  const row = await tx.getApiKey(context.project.id, id)
  if (row === undefined) throw notFound('key', 'id')
  if (row.revokedAt !== null) return toApiKey(row)
  await tx.revokeApiKey(context.project.id, id, context.now)
  return toApiKey({ ...row, revokedAt: context.now })
}

/** `GET /v1/project`. */
export function getProject(context: LedgerContext): Project {
  return toProject(context.project)
}

/** `PATCH /v1/project`. */
export async function updateProject(
  tx: StoreTransaction,
  context: LedgerContext,
  update: ProjectUpdate,
): Promise<Project> {
  const row: ProjectRow = {
    ...context.project,
    name: update.name ?? context.project.name,
    freeUnits: update.free_units ?? context.project.freeUnits,
    upgradeUrl: update.upgrade_url === undefined ? context.project.upgradeUrl : update.upgrade_url,
    defaultTtlSeconds: update.default_ttl_seconds ?? context.project.defaultTtlSeconds,
  }
  await tx.updateProject(row)
  return toProject(row)
}

/** Creates a project and its first admin key (`POST /v1/register`, and a new database). */
export async function createProject(
  tx: StoreTransaction,
  request: RegisterRequest,
  now: number,
): Promise<RegisterResponse> {
  const project: ProjectRow = {
    id: createId('prj', now),
    name: request.project_name,
    freeUnits: PROJECT_DEFAULTS.freeUnits,
    upgradeUrl: null,
    defaultTtlSeconds: PROJECT_DEFAULTS.defaultTtlSeconds,
    createdAt: now,
  }
  await tx.insertProject(project)
  const key = await insertKey(tx, project.id, 'admin', 'admin', now)
  return { project: toProject(project), key: key.key }
}

/**
 * Expires up to `limit` reservations past their expiry, across all projects, giving their
 * holds back. Returns how many expired. The server runs it on a timer; reads do the same for
 * the rows they touch, so correctness never waits for the sweep.
 */
export async function sweepExpiredReservations(
  tx: StoreTransaction,
  now: number,
  limit: number,
  webhookSignal?: WebhookSignal,
): Promise<number> {
  const expired = await tx.expireReservations({ now, limit })
  const byProject = new Map<string, ReservationRow[]>()
  for (const reservation of expired) {
    const list = byProject.get(reservation.projectId) ?? []
    list.push(reservation)
    byProject.set(reservation.projectId, list)
  }
  for (const [projectId, reservations] of byProject) {
    const project = await tx.getProject(projectId)
    if (project === undefined) continue
    const session = sessionOf(tx, { project, now, webhookSignal })
    await session.applyExpired(reservations)
    await session.flush()
  }
  return expired.length
}
