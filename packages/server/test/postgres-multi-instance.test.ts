import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminQuery, createTestDatabase } from '../src/store/postgres-test-database.js'
import { type ServerProcess, spawnServerProcess } from '../src/testing.js'

// Two real `agentbill-server` processes (the built CLI) on one PostgreSQL database, as behind
// a load balancer: every test spreads its requests over both.
let database: Awaited<ReturnType<typeof createTestDatabase>>
let instances: ServerProcess[] = []
let adminKey: string

beforeAll(async () => {
  database = await createTestDatabase()
  // Both start at the same moment on an empty database: migrations and the first project
  // must happen once.
  instances = await Promise.all([
    spawnServerProcess({ database: database.url }),
    spawnServerProcess({ database: database.url }),
  ])
  const keys = instances.flatMap((instance) =>
    instance.adminKey === undefined ? [] : [instance.adminKey],
  )
  expect(keys).toHaveLength(1)
  adminKey = keys[0] as string
})
afterAll(async () => {
  for (const instance of instances) expect(await instance.stop()).toBe(0)
  await database?.drop()
})

interface Answer {
  status: number
  body: Record<string, unknown>
}

async function call(
  instance: number,
  method: string,
  path: string,
  body?: unknown,
  key = adminKey,
): Promise<Answer> {
  const server = instances[instance % instances.length] as ServerProcess
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function rows<Row extends Record<string, unknown>>(sql: string, values: unknown[] = []) {
  return adminQuery<Row>(sql, values, database.url)
}

describe('two server processes on one PostgreSQL database', () => {
  it('created one project and both serve it', async () => {
    expect(await rows('SELECT id FROM projects')).toHaveLength(1)
    for (const index of [0, 1]) {
      expect((await call(index, 'GET', '/v1/project')).status).toBe(200)
      const ready = await fetch(`${instances[index]?.url}/readyz`)
      expect(ready.status).toBe(200)
    }
  })

  it('approves exactly 50 of 200 concurrent 1-unit reserving preflights spread over both', async () => {
    expect((await call(0, 'PATCH', '/v1/customers/hot', { limit_units: 50 })).status).toBe(200)
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        call(index, 'POST', '/v1/preflight', {
          agent_id: `agent-${index % 7}`,
          customer_id: 'hot',
          estimated_units: 1,
          reserve: true,
        }),
      ),
    )
    expect(answers.every((answer) => answer.status === 200)).toBe(true)
    const approved = answers.filter((answer) => answer.body.approved === true)
    expect(approved).toHaveLength(50)
    // Both instances approved some (the load really was spread).
    const approvedBy = new Set(
      answers.flatMap((answer, index) => (answer.body.approved === true ? [index % 2] : [])),
    )
    expect(approvedBy).toEqual(new Set([0, 1]))
    expect(
      approved.map((answer) => answer.body.remaining_units as number).sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 50 }, (_, index) => index))
    for (const index of [0, 1]) {
      expect((await call(index, 'GET', '/v1/customers/hot/balance')).body).toMatchObject({
        reserved_units: 50,
        remaining_units: 0,
        used_units: 0,
      })
    }
    expect(
      await rows(`SELECT count(*)::int AS count FROM decisions WHERE customer_id = 'hot'`),
    ).toEqual([{ count: 200 }])
  })

  it('counts 100 concurrent records with 20 idempotency keys spread over both as 20 events', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        call(index, 'POST', '/v1/record', {
          agent_id: 'agent',
          customer_id: 'keyed',
          units: 3,
          idempotency_key: `key-${index % 20}`,
        }),
      ),
    )
    // Every answer is the event (201) or its replay (200): no 409, no 5xx.
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(20)
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(80)
    const eventOf = new Map<string, string>()
    answers.forEach((answer, index) => {
      const key = `key-${index % 20}`
      const id = answer.body.event_id as string
      expect(eventOf.get(key) ?? id).toBe(id)
      eventOf.set(key, id)
    })
    expect(
      await rows(`SELECT count(*)::int AS count FROM events WHERE customer_id = 'keyed'`),
    ).toEqual([{ count: 20 }])
    expect((await call(1, 'GET', '/v1/customers/keyed/balance')).body.used_units).toBe(60)
  })

  it('refuses a revoked key on the other instance at its next request', async () => {
    const created = await call(0, 'POST', '/v1/keys', { name: 'agent', scope: 'runtime' })
    const key = created.body.key as string
    const use = (instance: number) =>
      call(instance, 'GET', '/v1/customers/someone/balance', undefined, key)
    expect((await use(1)).status).toBe(200)
    expect((await call(0, 'DELETE', `/v1/keys/${created.body.id}`)).status).toBe(200)
    expect((await use(1)).status).toBe(401)
    expect((await use(0)).status).toBe(401)
  })

  it('expires each hold once while both instances read and sweep', async () => {
    const customers = Array.from({ length: 6 }, (_, index) => `expiring-${index}`)
    // Per customer: ten 1-unit holds that expire in a second, and one 5-unit hold that stays.
    // Releasing any short hold twice would take the counter below the 5 still held.
    await Promise.all(
      customers.flatMap((customerId, index) => [
        ...Array.from({ length: 10 }, (_, hold) =>
          call(index + hold, 'POST', '/v1/preflight', {
            agent_id: 'agent',
            customer_id: customerId,
            estimated_units: 1,
            reserve: true,
            ttl_seconds: 1,
            run_id: `run-${hold % 3}`,
          }),
        ),
        call(index, 'POST', '/v1/preflight', {
          agent_id: 'agent',
          customer_id: customerId,
          estimated_units: 5,
          reserve: true,
          ttl_seconds: 3600,
        }),
      ]),
    )
    await new Promise((resolve) => setTimeout(resolve, 1300))
    const balances = await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        call(index, 'GET', `/v1/customers/${customers[index % customers.length]}/balance`),
      ),
    )
    expect(balances.every((answer) => answer.status === 200)).toBe(true)
    // A transaction skips a hold another one is expiring at that moment; the next read takes
    // it. Read until each balance has settled (bounded).
    for (const customerId of customers) {
      let reserved = -1
      for (let attempt = 0; attempt < 20 && reserved !== 5; attempt++) {
        reserved = (await call(attempt, 'GET', `/v1/customers/${customerId}/balance`)).body
          .reserved_units as number
      }
      expect(reserved).toBe(5)
    }
    const counters = await rows<{ customer_id: string; reserved: number; open: number }>(
      `SELECT c.customer_id, c.reserved_units::int AS reserved,
         (SELECT coalesce(sum(units), 0)::int FROM reservations r
           WHERE r.project_id = c.project_id AND r.customer_id = c.customer_id
             AND r.status = 'open') AS open
       FROM customers c WHERE c.customer_id LIKE 'expiring-%' ORDER BY c.customer_id`,
    )
    expect(counters).toEqual(
      customers.map((customerId) => ({ customer_id: customerId, reserved: 5, open: 5 })),
    )
    expect(
      await rows(
        `SELECT status, count(*)::int AS count FROM reservations
         WHERE customer_id LIKE 'expiring-%' GROUP BY status ORDER BY status`,
      ),
    ).toEqual([
      { status: 'expired', count: 60 },
      { status: 'open', count: 6 },
    ])
    // The runs' holds went back too (one hold each at most once).
    const runs = await rows<{ reserved: number }>(
      `SELECT reserved_units::int AS reserved FROM runs WHERE run_id LIKE 'run-%'`,
    )
    expect(runs.map((run) => run.reserved)).toEqual([0, 0, 0])
  })
})
