import { createServer as createTcpServer, type Server } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { createId } from '../ids.js'
import { postgresMigrations } from './postgres-migrations.js'
import { openPostgresStore, PostgresStore } from './postgres-store.js'
import {
  adminQuery,
  dropTestSchema,
  TEST_DATABASE_URL,
  uniqueIdentifier,
} from './postgres-test-database.js'
import type { ProjectRow } from './store.js'
import { runStoreConformance } from './store-conformance.js'
import { StoreUnavailableError } from './store-unavailable-error.js'

// Every store of this file gets a schema of its own on the machine's PostgreSQL; all are
// dropped at the end. No PostgreSQL → these tests fail (never skip).
const schemas: string[] = []
afterAll(async () => {
  for (const schema of schemas) await dropTestSchema(schema)
})

function newSchema(): string {
  const schema = uniqueIdentifier('agentbill_store')
  schemas.push(schema)
  return schema
}

runStoreConformance('PostgreSQL, pipelined', () =>
  openPostgresStore({ connectionString: TEST_DATABASE_URL, schema: newSchema(), poolSize: 5 }),
)
runStoreConformance('PostgreSQL, one statement at a time', () =>
  openPostgresStore({
    connectionString: TEST_DATABASE_URL,
    schema: newSchema(),
    poolSize: 5,
    pipeline: false,
  }),
)

const project = (): ProjectRow => ({
  id: createId('prj'),
  name: 'p',
  freeUnits: 1000,
  upgradeUrl: null,
  defaultTtlSeconds: 900,
  createdAt: 0,
})

/** A TCP port on loopback that refuses connections (listened on once, then closed). */
async function closedPort(): Promise<number> {
  const server: Server = createTcpServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

describe('PostgreSQL store: migrations', () => {
  it('migrates once when several instances start on a new schema at the same moment', async () => {
    const schema = newSchema()
    const stores = await Promise.all(
      Array.from({ length: 6 }, () =>
        openPostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 }),
      ),
    )
    const versions = await adminQuery<{ version: number }>(
      `SELECT version FROM ${schema}.agentbill_migrations ORDER BY version`,
    )
    expect(versions.map((row) => row.version)).toEqual(postgresMigrations.map((_, i) => i + 1))
    // All six work on the same tables.
    const row = project()
    await stores[0]?.transaction((tx) => tx.insertProject(row))
    for (const store of stores) {
      expect(await store.transaction((tx) => tx.getProject(row.id))).toEqual(row)
    }
    await Promise.all(stores.map((store) => store.close()))
  })

  it('keeps the data of an existing schema and applies nothing twice', async () => {
    const schema = newSchema()
    const first = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema })
    const row = project()
    await first.transaction((tx) => tx.insertProject(row))
    await first.close()
    expect(await first.ping()).toBe(false)
    await expect(first.transaction((tx) => tx.countProjects())).rejects.toThrow(/closed/)
    const second = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema })
    expect(await second.transaction((tx) => tx.getProject(row.id))).toEqual(row)
    await second.close()
  })

  it('refuses a schema migrated by a newer server', async () => {
    const schema = newSchema()
    const store = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema })
    await store.close()
    await adminQuery(
      `INSERT INTO ${schema}.agentbill_migrations (version) VALUES (${postgresMigrations.length + 1})`,
    )
    await expect(
      openPostgresStore({ connectionString: TEST_DATABASE_URL, schema }),
    ).rejects.toThrow(/newer than this server knows/)
  })

  it('refuses a schema name that is not a plain identifier', () => {
    expect(
      () => new PostgresStore({ connectionString: TEST_DATABASE_URL, schema: 'x"; DROP' }),
    ).toThrow(/plain SQL identifier/)
  })
})

describe('PostgreSQL store: an unreachable database', () => {
  it('fails fast with StoreUnavailableError and reports not ready', async () => {
    const port = await closedPort()
    const store = new PostgresStore({
      connectionString: `postgres://postgres@127.0.0.1:${port}/test`,
      connectTimeoutMs: 1000,
    })
    const started = Date.now()
    await expect(store.transaction((tx) => tx.countProjects())).rejects.toBeInstanceOf(
      StoreUnavailableError,
    )
    expect(await store.ping()).toBe(false)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(store.stats.unavailable).toBeGreaterThan(0)
    await store.close()
  })

  it('reopens its connections after the database killed them', async () => {
    const schema = newSchema()
    const applicationName = uniqueIdentifier('agentbill_kill')
    const store = await openPostgresStore({
      connectionString: TEST_DATABASE_URL,
      schema,
      poolSize: 4,
      applicationName,
    })
    const row = project()
    await store.transaction((tx) => tx.insertProject(row))
    // Fill the pool with idle connections, then kill them all from outside.
    await Promise.all(
      Array.from({ length: 4 }, () =>
        store.transaction(async (tx) => {
          await tx.getProject(row.id)
          await new Promise((resolve) => setTimeout(resolve, 20))
        }),
      ),
    )
    const killed = await adminQuery<{ killed: boolean }>(
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1`,
      [applicationName],
    )
    expect(killed.length).toBeGreaterThan(0)
    // Every transaction after the kill succeeds: a dead pooled connection is replaced.
    for (let index = 0; index < 8; index++) {
      expect(await store.transaction((tx) => tx.getProject(row.id))).toEqual(row)
    }
    expect(await store.ping()).toBe(true)
    await store.close()
  })
})

describe('PostgreSQL store: expiry after a customer read', () => {
  it('still expires a due hold this transaction inserted after reading the customer', async () => {
    const store = await openPostgresStore({
      connectionString: TEST_DATABASE_URL,
      schema: newSchema(),
    })
    const row = project()
    await store.transaction((tx) => tx.insertProject(row))
    const expired = await store.transaction(async (tx) => {
      await tx.ensureCustomer({
        projectId: row.id,
        customerId: 'c1',
        freeUnits: 1000,
        limitUnits: null,
        unlimited: false,
        period: 'none',
        metadata: {},
        periodStart: null,
        usedUnits: 0,
        reservedUnits: 0,
        grantUnits: 0,
        createdAt: 0,
      })
      // Nothing is due when the customer is read; then a hold that is already due arrives.
      expect(await tx.expireReservations({ projectId: row.id, now: 1000 })).toEqual([])
      await tx.insertReservation({
        id: createId('rsv'),
        projectId: row.id,
        customerId: 'c1',
        agentId: 'a',
        runId: null,
        units: 4,
        status: 'open',
        expiresAt: 500,
        createdAt: 0,
        closedAt: null,
      })
      return tx.expireReservations({ projectId: row.id, now: 1000 })
    })
    expect(expired.map((item) => item.units)).toEqual([4])
    await store.close()
  })
})

describe('PostgreSQL store: a read-time expiry during a mass expiry', () => {
  it('takes the holds of the customers it holds and of at most 16 others; the sweep the rest', async () => {
    const store = await openPostgresStore({
      connectionString: TEST_DATABASE_URL,
      schema: newSchema(),
    })
    const row = project()
    const customers = Array.from({ length: 40 }, (_, index) => `c${String(index).padStart(2, '0')}`)
    await store.transaction(async (tx) => {
      await tx.insertProject(row)
      for (const [index, customerId] of customers.entries()) {
        await tx.ensureCustomer({
          projectId: row.id,
          customerId,
          freeUnits: 1000,
          limitUnits: null,
          unlimited: false,
          period: 'none',
          metadata: {},
          periodStart: null,
          usedUnits: 0,
          reservedUnits: 2,
          grantUnits: 0,
          createdAt: 0,
        })
        for (const units of [1, 1]) {
          await tx.insertReservation({
            id: createId('rsv'),
            projectId: row.id,
            customerId,
            agentId: 'a',
            runId: null,
            units,
            status: 'open',
            // The last customer's holds are due last of all: not among the first others.
            expiresAt: 100 + index,
            createdAt: 0,
            closedAt: null,
          })
        }
      }
    })
    const expired = await store.transaction(async (tx) => {
      await tx.getCustomer(row.id, 'c39')
      return tx.expireReservations({ projectId: row.id, now: 1000 })
    })
    const byCustomer = new Set(expired.map((item) => item.customerId))
    expect(byCustomer.has('c39')).toBe(true)
    expect(byCustomer.size).toBe(17)
    expect(expired).toHaveLength(34)
    // The sweep (across projects, in slices) takes what the read left.
    const swept = await store.transaction((tx) => tx.expireReservations({ now: 1000, limit: 500 }))
    expect(swept).toHaveLength(80 - 34)
    await store.close()
  })
})
