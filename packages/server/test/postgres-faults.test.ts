import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { PostgresStore } from '../src/store/postgres-store.js'
import {
  adminQuery,
  createTestDatabase,
  TEST_DATABASE_URL,
} from '../src/store/postgres-test-database.js'
import { type ServerProcess, spawnServerProcess, startTestServer } from '../src/testing.js'

const databases: Array<Awaited<ReturnType<typeof createTestDatabase>>> = []
afterAll(async () => {
  for (const database of databases) await database.drop()
})

async function newDatabase() {
  const database = await createTestDatabase()
  databases.push(database)
  return database
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Answer {
  status: number
  retryAfter: string | null
  body: Record<string, unknown>
}

async function call(url: string, key: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  } satisfies Answer
}

describe('PostgreSQL faults: connections killed under load', () => {
  it('answers 503 or succeeds, never counts twice, and recovers', async () => {
    const database = await newDatabase()
    const first = await spawnServerProcess({ database: database.url })
    const second = await spawnServerProcess({ database: database.url })
    const instances: ServerProcess[] = [first, second]
    const adminKey = first.adminKey as string
    try {
      const statuses = new Map<number, number>()
      const done = new Set<string>()
      const holds = new Set<string>()
      let stop = false
      // Each worker records under fresh idempotency keys and takes keyed holds, retrying a 503
      // with the same key (as the clients do) until it gets an answer.
      const untilAnswered = async (instance: number, path: string, body: unknown) => {
        for (let attempt = 0; attempt < 100; attempt++) {
          const url = (instances[(instance + attempt) % 2] as ServerProcess).url
          const answer = await call(url, adminKey, 'POST', path, body)
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
          if (answer.status !== 503) return answer
          expect(answer.retryAfter).not.toBeNull()
          await sleep(20)
        }
        throw new Error(`no answer for ${path} after 100 attempts`)
      }
      const worker = async (index: number) => {
        for (let round = 0; !stop; round++) {
          const key = `w${index}-${round}`
          const customerId = `c${(index + round) % 5}`
          const recorded = await untilAnswered(index + round, '/v1/record', {
            agent_id: 'agent',
            customer_id: customerId,
            units: 1,
            idempotency_key: key,
          })
          if (recorded.status === 200 || recorded.status === 201) done.add(key)
          const held = await untilAnswered(index + round + 1, '/v1/preflight', {
            agent_id: 'agent',
            customer_id: customerId,
            estimated_units: 1,
            reserve: true,
            idempotency_key: `hold-${key}`,
          })
          if (held.status === 200 && held.body.reservation_id !== null) {
            holds.add(held.body.reservation_id as string)
          }
        }
      }
      const killer = async () => {
        let kills = 0
        while (!stop) {
          await sleep(150)
          // The function in the select list runs only for the rows the WHERE kept (in the
          // WHERE itself, PostgreSQL might call it before checking the database name).
          const killed = await adminQuery<{ killed: boolean }>(
            `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
             WHERE datname = $1 AND pid <> pg_backend_pid()`,
            [database.name],
          )
          kills += killed.filter((row) => row.killed).length
        }
        return kills
      }
      const workers = Array.from({ length: 24 }, (_, index) => worker(index))
      const killing = killer()
      await sleep(4000)
      stop = true
      await Promise.all(workers)
      const kills = await killing

      expect(kills).toBeGreaterThan(0)
      // The kills hit transactions in flight: the stores retried or answered 503.
      let disturbed = 0
      for (const instance of instances) {
        const metrics = await (await fetch(`${instance.url}/metrics`)).text()
        for (const name of ['agentbill_store_retries_total', 'agentbill_store_unavailable_total']) {
          disturbed += Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0)
        }
      }
      expect(disturbed).toBeGreaterThan(0)
      // Nothing but success and 503 (never a 500, never a 409 from a key race).
      expect([...statuses.keys()].filter((status) => ![200, 201, 503].includes(status))).toEqual([])
      expect(done.size).toBeGreaterThan(50)
      // Each key's usage is in the ledger exactly once, and every counter equals its rows.
      const events = await adminQuery<{ key: string; count: number }>(
        'SELECT idempotency_key AS key, count(*)::int AS count FROM events GROUP BY idempotency_key',
        [],
        database.url,
      )
      expect(events.every((row) => row.count === 1)).toBe(true)
      expect(new Set(events.map((row) => row.key))).toEqual(done)
      const counters = await adminQuery<{
        used: number
        events: number
        reserved: number
        open: number
      }>(
        `SELECT c.used_units::int AS used, c.reserved_units::int AS reserved,
           (SELECT coalesce(sum(units), 0)::int FROM events e
             WHERE e.project_id = c.project_id AND e.customer_id = c.customer_id) AS events,
           (SELECT coalesce(sum(units), 0)::int FROM reservations r
             WHERE r.project_id = c.project_id AND r.customer_id = c.customer_id
               AND r.status = 'open') AS open
         FROM customers c`,
        [],
        database.url,
      )
      expect(counters.length).toBe(5)
      for (const row of counters) {
        expect(row.used).toBe(row.events)
        expect(row.reserved).toBe(row.open)
      }
      const openHolds = await adminQuery<{ count: number }>(
        `SELECT count(*)::int AS count FROM reservations WHERE status = 'open'`,
        [],
        database.url,
      )
      expect(openHolds[0]?.count).toBe(holds.size)

      // Both recover by themselves: ready, and serving.
      for (const instance of instances) {
        expect((await fetch(`${instance.url}/readyz`)).status).toBe(200)
        const answer = await call(instance.url, adminKey, 'POST', '/v1/record', {
          agent_id: 'agent',
          customer_id: 'after',
          units: 2,
        })
        expect(answer.status).toBe(201)
      }
    } finally {
      for (const instance of instances) await instance.stop()
    }
  })
})

/**
 * A TCP proxy in front of PostgreSQL whose link the test can cut: `refuse` resets every
 * connection (as a database that went away), `blackhole` holds them silent (as a network
 * that drops packets), `forward` passes bytes through.
 */
class Link {
  mode: 'forward' | 'refuse' | 'blackhole' = 'forward'
  readonly #server: Server
  readonly #pairs = new Set<{ client: Socket; upstream: Socket }>()

  constructor(target: URL) {
    this.#server = createTcpServer((client) => {
      if (this.mode === 'refuse') {
        client.destroy()
        return
      }
      if (this.mode === 'blackhole') {
        client.on('error', () => undefined)
        this.#pairs.add({ client, upstream: client })
        return
      }
      const upstream = connect(Number(target.port || 5432), target.hostname)
      const pair = { client, upstream }
      this.#pairs.add(pair)
      const forget = () => {
        this.#pairs.delete(pair)
        client.destroy()
        upstream.destroy()
      }
      client.on('error', forget).on('close', forget)
      upstream.on('error', forget).on('close', forget)
      client.on('data', (chunk) => {
        if (this.mode === 'forward') upstream.write(chunk)
      })
      upstream.on('data', (chunk) => {
        if (this.mode === 'forward') client.write(chunk)
      })
    })
  }

  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.#server.listen(0, '127.0.0.1', () => {
        const address = this.#server.address()
        resolve(typeof address === 'object' && address !== null ? address.port : 0)
      }),
    )
  }

  /** Cuts every open connection (`refuse`) or silences them (`blackhole`). */
  set(mode: 'forward' | 'refuse' | 'blackhole'): void {
    this.mode = mode
    if (mode === 'refuse') {
      for (const pair of this.#pairs) {
        pair.client.destroy()
        pair.upstream.destroy()
      }
      this.#pairs.clear()
    }
  }

  close(): Promise<void> {
    this.set('refuse')
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }
}

describe('PostgreSQL faults: the database unreachable', () => {
  it('fails readiness and answers 503 with Retry-After (no hang), then recovers by itself', async () => {
    const database = await newDatabase()
    const link = new Link(new URL(TEST_DATABASE_URL))
    const port = await link.listen()
    const proxied = new URL(database.url)
    proxied.port = String(port)
    const server = await startTestServer({
      store: new PostgresStore({
        connectionString: proxied.toString(),
        poolSize: 4,
        connectTimeoutMs: 1000,
        queryTimeoutMs: 1500,
        pingTimeoutMs: 1000,
      }),
    })
    const record = (units: number) =>
      call(server.url, server.adminKey, 'POST', '/v1/record', {
        agent_id: 'agent',
        customer_id: 'c',
        units,
      })
    const timed = async <T>(work: () => Promise<T>) => {
      const started = performance.now()
      const result = await work()
      return { result, seconds: (performance.now() - started) / 1000 }
    }
    try {
      expect((await record(1)).status).toBe(201)
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200)

      for (const mode of ['refuse', 'blackhole'] as const) {
        link.set(mode)
        const ready = await timed(() => fetch(`${server.url}/readyz`))
        expect(ready.result.status).toBe(503)
        expect(ready.seconds).toBeLessThan(3)
        // Several at once: each gets its 503 within the configured timeouts, none hangs.
        const answers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => timed(() => record(1))))
        for (const answer of answers) {
          expect(answer.result.status).toBe(503)
          expect(answer.result.retryAfter).toBe('1')
          expect(answer.result.body).toMatchObject({ error: { type: 'unavailable' } })
          expect(answer.seconds).toBeLessThan(6)
        }
        link.set('refuse')
        link.set('forward')
        // Back by itself: no restart, no call to the server other than requests.
        let status = 0
        for (let attempt = 0; attempt < 50 && status !== 201; attempt++) {
          status = (await record(10)).status
          if (status !== 201) await sleep(100)
        }
        expect(status).toBe(201)
        expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
      }
      // Only the answered records are in the ledger: 1 + 10 + 10.
      const balance = await call(server.url, server.adminKey, 'GET', '/v1/customers/c/balance')
      expect(balance.body.used_units).toBe(21)
    } finally {
      await server.close()
      await link.close()
    }
  })
})
