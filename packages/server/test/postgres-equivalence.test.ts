import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../src/store/postgres-test-database.js'
import { startTestServer, type TestServer } from '../src/testing.js'

// "Exactly the behaviour of the SQLite store": the same random sequences of API requests go
// to a server on SQLite and to one on PostgreSQL, sharing one clock that the sequences move
// across expiries and period boundaries. Every answer — status and body, with the server-made
// ids and secrets replaced by their order of appearance — must be the same.
let now = Date.UTC(2026, 4, 1, 22, 0, 0)
let sqlite: TestServer
let postgres: TestServer
let database: Awaited<ReturnType<typeof createTestDatabase>>

beforeAll(async () => {
  database = await createTestDatabase()
  ;[sqlite, postgres] = await Promise.all([
    startTestServer({ clock: () => now }),
    startTestServer({ database: database.url, clock: () => now }),
  ])
})
afterAll(async () => {
  await Promise.all([sqlite?.close(), postgres?.close()])
  await database?.drop()
})

const customers = ['c0', 'c1', 'c2']

type Operation =
  | {
      kind: 'preflight'
      customer: number
      units: number | 'auto'
      reserve: boolean
      ceiling: number | undefined
      run: number | undefined
      ttlSeconds: number
      key: number | undefined
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
  | { kind: 'reservation'; reservation: number }
  | { kind: 'grant'; customer: number; units: number; key: number | undefined }
  | {
      kind: 'configure'
      customer: number
      period: 'none' | 'day' | 'week' | 'month'
      limit: number | null
      unlimited: boolean
    }
  | { kind: 'balance'; customer: number }
  | {
      kind: 'list'
      what: 'events' | 'decisions' | 'customers' | 'search' | 'usage' | 'summary' | 'run'
      customer: number
    }
  | { kind: 'project'; freeUnits: number }
  | { kind: 'advance'; milliseconds: number }

const customer = fc.integer({ min: 0, max: customers.length - 1 })
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined })

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('preflight' as const),
      customer,
      units: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.constant('auto' as const)),
      reserve: fc.boolean(),
      ceiling: optional(fc.integer({ min: 0, max: 600 })),
      run: optional(fc.integer({ min: 0, max: 1 })),
      ttlSeconds: fc.integer({ min: 1, max: 120 }),
      key: optional(fc.integer({ min: 0, max: 3 })),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      customer,
      units: fc.integer({ min: 0, max: 300 }),
      reservation: optional(fc.nat(20)),
      key: optional(fc.integer({ min: 0, max: 4 })),
      run: optional(fc.integer({ min: 0, max: 1 })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('release' as const), reservation: fc.nat(20) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('reservation' as const), reservation: fc.nat(20) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('grant' as const),
      customer,
      units: fc.integer({ min: 1, max: 200 }),
      key: optional(fc.integer({ min: 0, max: 2 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('configure' as const),
      customer,
      period: fc.constantFrom('none' as const, 'day' as const, 'week' as const, 'month' as const),
      limit: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: null }),
      unlimited: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('balance' as const), customer }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('list' as const),
      what: fc.constantFrom(
        'events' as const,
        'decisions' as const,
        'customers' as const,
        'search' as const,
        'usage' as const,
        'summary' as const,
        'run' as const,
      ),
      customer,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('project' as const),
      freeUnits: fc.integer({ min: 0, max: 3000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      milliseconds: fc.integer({ min: 0, max: 30 * 3600_000 }),
    }),
  },
)

/** One server's side of a sequence: its reservations, and its ids in order of appearance. */
class Side {
  readonly reservations: string[] = []
  readonly #names = new Map<string, string>()
  readonly #counts = new Map<string, number>()

  constructor(readonly server: TestServer) {}

  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.server.adminKey}`,
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const json = (await response.json()) as Record<string, unknown>
    const reservationId = json.reservation_id
    if (response.status === 200 && path === '/v1/preflight' && typeof reservationId === 'string') {
      if (!this.reservations.includes(reservationId)) this.reservations.push(reservationId)
    }
    return { status: response.status, body: this.#normalize(json) }
  }

  reservation(index: number): string | undefined {
    return this.reservations.length === 0
      ? undefined
      : this.reservations[index % this.reservations.length]
  }

  /** Server-made ids and secrets → `<prefix>#<n>` in order of first appearance. */
  #normalize(value: unknown): unknown {
    if (typeof value === 'string') {
      const match = /^(dec|rsv|evt|gnt|key|prj|agb)_\w+$/.exec(value)
      if (match === null) return value
      let name = this.#names.get(value)
      if (name === undefined) {
        const prefix = match[1] as string
        const count = (this.#counts.get(prefix) ?? 0) + 1
        this.#counts.set(prefix, count)
        name = `${prefix}#${count}`
        this.#names.set(value, name)
      }
      return name
    }
    if (Array.isArray(value)) return value.map((item) => this.#normalize(item))
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, this.#normalize(item)]),
      )
    }
    return value
  }
}

async function apply(side: Side, op: Operation, sequence: number): Promise<unknown> {
  const customerId = `s${sequence}-${customers[(op as { customer?: number }).customer ?? 0]}`
  const run = (index: number | undefined) =>
    index === undefined ? {} : { run_id: `s${sequence}-run${index}` }
  switch (op.kind) {
    case 'preflight':
      return side.call('POST', '/v1/preflight', {
        agent_id: `agent-${sequence}`,
        customer_id: customerId,
        estimated_units: op.units,
        reserve: op.reserve,
        ttl_seconds: op.ttlSeconds,
        ...(op.ceiling === undefined ? {} : { ceiling: op.ceiling }),
        ...run(op.run),
        ...(op.key === undefined ? {} : { idempotency_key: `s${sequence}-p${op.key}` }),
      })
    case 'record': {
      const reservationId =
        op.reservation === undefined ? undefined : side.reservation(op.reservation)
      return side.call('POST', '/v1/record', {
        agent_id: `agent-${sequence}`,
        customer_id: customerId,
        units: op.units,
        metadata: { b: 1, a: [op.units] },
        ...(reservationId === undefined ? {} : { reservation_id: reservationId }),
        ...(op.key === undefined ? {} : { idempotency_key: `s${sequence}-r${op.key}` }),
        ...run(op.run),
      })
    }
    case 'release': {
      const id = side.reservation(op.reservation)
      return id === undefined ? null : side.call('POST', `/v1/reservations/${id}/release`)
    }
    case 'reservation': {
      const id = side.reservation(op.reservation)
      return id === undefined ? null : side.call('GET', `/v1/reservations/${id}`)
    }
    case 'grant':
      return side.call('POST', `/v1/customers/${customerId}/grants`, {
        units: op.units,
        reason: 'top-up',
        ...(op.key === undefined ? {} : { idempotency_key: `s${sequence}-g${op.key}` }),
      })
    case 'configure':
      return side.call('PATCH', `/v1/customers/${customerId}`, {
        period: op.period,
        limit_units: op.limit,
        unlimited: op.unlimited,
        metadata: { plan: op.period },
      })
    case 'balance':
      return side.call('GET', `/v1/customers/${customerId}/balance`)
    case 'list':
      if (op.what === 'customers') return side.call('GET', '/v1/customers?limit=4')
      if (op.what === 'search') {
        return side.call('GET', `/v1/customers?limit=2&search=S${sequence}-C`)
      }
      if (op.what === 'summary') {
        return side.call(
          'GET',
          `/v1/decisions/summary?group_by=reason,day&agent_id=agent-${sequence}`,
        )
      }
      if (op.what === 'run') return side.call('GET', `/v1/runs/s${sequence}-run${op.customer % 2}`)
      if (op.what === 'usage') {
        return side.call('GET', '/v1/usage?group_by=customer,day')
      }
      return side.call('GET', `/v1/${op.what}?limit=3&customer_id=${customerId}`)
    case 'project':
      return side.call('PATCH', '/v1/project', { free_units: op.freeUnits })
    case 'advance':
      now += op.milliseconds
      return null
  }
}

describe('PostgreSQL answers exactly as SQLite', () => {
  it('gives the same answer to every request of random sequences', async () => {
    const left = new Side(sqlite)
    const right = new Side(postgres)
    let sequence = 0
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 5, maxLength: 40 }), async (operations) => {
        sequence++
        for (const op of operations) {
          const expected = await apply(left, op, sequence)
          const actual = await apply(right, op, sequence)
          expect(actual, JSON.stringify(op)).toEqual(expected)
        }
        for (const name of customers) {
          const path = `/v1/customers/s${sequence}-${name}/balance`
          expect(await right.call('GET', path)).toEqual(await left.call('GET', path))
        }
      }),
      { numRuns: 25 },
    )
  })
})
