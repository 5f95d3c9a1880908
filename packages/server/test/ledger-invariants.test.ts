import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AgentBill, AgentBillAPIError, register } from 'agentbill'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../src/testing.js'

// Random sequences of requests (some of them concurrent), on a server whose clock the test
// moves across reservation expiries and day boundaries; after each sequence the invariants of
// api.md are checked through the API and against the raw rows.
const directory = mkdtempSync(join(tmpdir(), 'agentbill-invariants-'))
const database = join(directory, 'ledger.db')
let now = Date.UTC(2026, 4, 1, 22, 0, 0)
let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ database, clock: () => now })
})
afterAll(async () => {
  await server.close()
  rmSync(directory, { recursive: true, force: true })
})

const customers = ['c0', 'c1', 'c2']
const runs = ['r0', 'r1']

type Operation =
  | {
      kind: 'preflight'
      customer: number
      units: number
      reserve: boolean
      ceiling: number | undefined
      run: number | undefined
      ttlSeconds: number
    }
  | {
      kind: 'record'
      customer: number
      units: number
      reservation: number | undefined
      key: number | undefined
      run: number | undefined
    }
  | { kind: 'release'; reservation: number }
  | { kind: 'grant'; customer: number; units: number }
  | {
      kind: 'configure'
      customer: number
      period: 'none' | 'day' | 'week' | 'month'
      limit: number | null
    }
  | { kind: 'advance'; milliseconds: number }
  | { kind: 'concurrently'; operations: Operation[] }

const customerIndex = fc.integer({ min: 0, max: customers.length - 1 })
const runIndex = fc.option(fc.integer({ min: 0, max: runs.length - 1 }), { nil: undefined })

const simple: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('preflight' as const),
      customer: customerIndex,
      units: fc.integer({ min: 0, max: 400 }),
      reserve: fc.boolean(),
      ceiling: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
      run: runIndex,
      ttlSeconds: fc.integer({ min: 1, max: 120 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      customer: customerIndex,
      units: fc.integer({ min: 0, max: 300 }),
      reservation: fc.option(fc.nat(20), { nil: undefined }),
      key: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
      run: runIndex,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('release' as const), reservation: fc.nat(20) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('grant' as const),
      customer: customerIndex,
      units: fc.integer({ min: 1, max: 200 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('configure' as const),
      customer: customerIndex,
      period: fc.constantFrom('none' as const, 'day' as const, 'week' as const, 'month' as const),
      limit: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: null }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      milliseconds: fc.integer({ min: 0, max: 4 * 3600_000 }),
    }),
  },
)

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: simple },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('concurrently' as const),
      operations: fc.array(
        simple.filter((item) => item.kind !== 'advance'),
        { minLength: 2, maxLength: 8 },
      ),
    }),
  },
)

interface RunState {
  bill: AgentBill
  projectId: string
  reservations: string[]
  /** Idempotency keys are per sequence: reused keys test replays and 422s. */
  keyPrefix: string
}

async function apply(state: RunState, op: Operation, sequential = true): Promise<void> {
  const { bill } = state
  const pick = (index: number | undefined) =>
    index === undefined || state.reservations.length === 0
      ? undefined
      : state.reservations[index % state.reservations.length]
  try {
    switch (op.kind) {
      case 'preflight': {
        const answer = await bill.preflight({
          agentId: 'agent',
          customerId: customers[op.customer] as string,
          estimatedUnits: op.units,
          reserve: op.reserve,
          ttlSeconds: op.ttlSeconds,
          ...(op.ceiling === undefined ? {} : { ceiling: op.ceiling }),
          ...(op.run === undefined ? {} : { runId: `${state.keyPrefix}${runs[op.run]}` }),
        })
        if (answer.approved && answer.reservationId !== null)
          state.reservations.push(answer.reservationId)
        if (answer.approved && op.reserve && sequential) {
          // A hold never takes a customer past its grant (checked when nothing else ran between).
          const balance = await bill.balance(customers[op.customer] as string)
          if (balance.remainingUnits !== null) {
            expect(balance.usedUnits + balance.reservedUnits).toBeLessThanOrEqual(
              balance.grantedUnits + Math.max(0, balance.usedUnits - balance.grantedUnits),
            )
          }
        }
        return
      }
      case 'record': {
        const reservationId = pick(op.reservation)
        await bill.record({
          agentId: 'agent',
          customerId: customers[op.customer] as string,
          units: op.units,
          ...(reservationId === undefined ? {} : { reservationId }),
          ...(op.key === undefined ? {} : { idempotencyKey: `${state.keyPrefix}k${op.key}` }),
          ...(op.run === undefined ? {} : { runId: `${state.keyPrefix}${runs[op.run]}` }),
        })
        return
      }
      case 'release': {
        const reservationId = pick(op.reservation)
        if (reservationId !== undefined) await bill.release(reservationId)
        return
      }
      case 'grant':
        await bill.admin.grants.create(customers[op.customer] as string, { units: op.units })
        return
      case 'configure':
        await bill.admin.customers.update(customers[op.customer] as string, {
          period: op.period,
          limitUnits: op.limit,
        })
        return
      case 'advance':
        now += op.milliseconds
        return
      case 'concurrently':
        await Promise.all(op.operations.map((inner) => apply(state, inner, false)))
        return
    }
  } catch (error) {
    // A reused idempotency key with other values is the one refusal a valid request can get.
    if (error instanceof AgentBillAPIError && error.status === 422) return
    throw error
  }
}

function rawRows(projectId: string) {
  const reader = new Database(database, { readonly: true })
  try {
    return {
      customers: reader.prepare('SELECT * FROM customers WHERE project_id = ?').all(projectId) as {
        customer_id: string
        used_units: number
        reserved_units: number
        period_start: number | null
      }[],
      runs: reader.prepare('SELECT * FROM runs WHERE project_id = ?').all(projectId) as {
        run_id: string
        used_units: number
        reserved_units: number
      }[],
      events: reader.prepare('SELECT * FROM events WHERE project_id = ?').all(projectId) as {
        customer_id: string
        run_id: string | null
        units: number
        created_at: number
        idempotency_key: string | null
      }[],
      reservations: reader
        .prepare('SELECT * FROM reservations WHERE project_id = ?')
        .all(projectId) as {
        customer_id: string
        run_id: string | null
        units: number
        status: string
      }[],
    }
  } finally {
    reader.close()
  }
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0)

async function checkInvariants(state: RunState): Promise<void> {
  // Raw rows: every counter equals the sum of the rows it stands for.
  const raw = rawRows(state.projectId)
  for (const customer of raw.customers) {
    const since = customer.period_start ?? 0
    expect(customer.used_units).toBe(
      sum(
        raw.events
          .filter(
            (event) => event.customer_id === customer.customer_id && event.created_at >= since,
          )
          .map((event) => event.units),
      ),
    )
    expect(customer.reserved_units).toBe(
      sum(
        raw.reservations
          .filter((item) => item.customer_id === customer.customer_id && item.status === 'open')
          .map((item) => item.units),
      ),
    )
  }
  for (const run of raw.runs) {
    expect(run.used_units).toBe(
      sum(raw.events.filter((event) => event.run_id === run.run_id).map((event) => event.units)),
    )
    expect(run.reserved_units).toBe(
      sum(
        raw.reservations
          .filter((item) => item.run_id === run.run_id && item.status === 'open')
          .map((item) => item.units),
      ),
    )
  }
  const keys = raw.events.flatMap((event) =>
    event.idempotency_key === null ? [] : [event.idempotency_key],
  )
  expect(new Set(keys).size).toBe(keys.length)

  // Through the API, at the server's current time (expiries and period roll-overs applied).
  for (const customerId of customers) {
    const balance = await state.bill.balance(customerId)
    const events: { units: number; createdAt: string }[] = []
    let cursor: string | undefined
    for (;;) {
      const page = await state.bill.admin.events.list({
        customerId,
        limit: 200,
        ...(cursor === undefined ? {} : { startingAfter: cursor }),
      })
      events.push(...page.data)
      if (!page.hasMore) break
      cursor = page.data.at(-1)?.id
    }
    const since = balance.periodStart === null ? 0 : Date.parse(balance.periodStart)
    expect(balance.usedUnits).toBe(
      sum(
        events.filter((event) => Date.parse(event.createdAt) >= since).map((event) => event.units),
      ),
    )
    let open = 0
    for (const id of state.reservations) {
      const reservation = await state.bill.getReservation(id)
      if (reservation.customerId === customerId && reservation.status === 'open')
        open += reservation.units
    }
    expect(balance.reservedUnits).toBe(open)
    if (balance.remainingUnits !== null) {
      expect(balance.remainingUnits).toBe(
        Math.max(0, balance.grantedUnits - balance.usedUnits - balance.reservedUnits),
      )
      expect(balance.overageUnits).toBe(Math.max(0, balance.usedUnits - balance.grantedUnits))
    }
  }
}

describe('ledger invariants', () => {
  it('hold after any sequence of requests, concurrent or not', async () => {
    let sequence = 0
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 30 }), async (operations) => {
        sequence++
        const registration = await register({
          baseUrl: server.url,
          projectName: `property ${sequence}`,
        })
        const state: RunState = {
          bill: new AgentBill({
            apiKey: registration.key,
            baseUrl: server.url,
            maxRetries: 0,
            onError: () => {},
          }),
          projectId: registration.project.id,
          reservations: [],
          keyPrefix: `s${sequence}-`,
        }
        for (const op of operations) await apply(state, op)
        await checkInvariants(state)
      }),
      { numRuns: 60 },
    )
  })
})
