import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createGrant,
  createProject,
  getBalance,
  type LedgerContext,
  preflight,
  record,
  sweepExpiredReservations,
  updateProject,
} from '../ledger/ledger.js'
import { openPostgresStore, type PostgresStore } from './postgres-store.js'
import {
  adminQuery,
  dropTestSchema,
  TEST_DATABASE_URL,
  uniqueIdentifier,
} from './postgres-test-database.js'
import type { ProjectRow } from './store.js'

// The real ledger over two PostgreSQL stores on one schema: two server instances' worth of
// connections racing for the same rows.
const schema = uniqueIdentifier('agentbill_race')
let one: PostgresStore
let two: PostgresStore
const now = Date.UTC(2026, 2, 1, 12)

beforeAll(async () => {
  ;[one, two] = await Promise.all([
    openPostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 8 }),
    openPostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 8 }),
  ])
})
afterAll(async () => {
  await Promise.all([one.close(), two.close()])
  await dropTestSchema(schema)
})

const storeFor = (index: number) => (index % 2 === 0 ? one : two)

async function newProject(): Promise<ProjectRow> {
  const created = await one.transaction((tx) => createProject(tx, { project_name: 'race' }, now))
  const row = await one.transaction((tx) => tx.getProject(created.project.id))
  if (row === undefined) throw new Error('project missing')
  return row
}

const context = (project: ProjectRow, at = now): LedgerContext => ({ project, now: at })

async function counters(projectId: string, customerId: string) {
  const rows = await adminQuery<{ used: number; reserved: number; events: string; open: string }>(
    `SELECT c.used_units AS used, c.reserved_units AS reserved,
       (SELECT coalesce(sum(units), 0) FROM ${schema}.events e
         WHERE e.project_id = c.project_id AND e.customer_id = c.customer_id) AS events,
       (SELECT coalesce(sum(units), 0) FROM ${schema}.reservations r
         WHERE r.project_id = c.project_id AND r.customer_id = c.customer_id
           AND r.status = 'open') AS open
     FROM ${schema}.customers c WHERE c.project_id = $1 AND c.customer_id = $2`,
    [projectId, customerId],
  )
  const row = rows[0]
  if (row === undefined) throw new Error('customer missing')
  return {
    used: Number(row.used),
    reserved: Number(row.reserved),
    events: Number(row.events),
    open: Number(row.open),
  }
}

describe('PostgreSQL store under concurrency (real ledger, two pools)', () => {
  it('approves exactly the remaining units: 200 reserving preflights vs 50 remaining', async () => {
    const project = await newProject()
    await one.transaction(async (tx) => {
      const customer = await tx.ensureCustomer({
        projectId: project.id,
        customerId: 'hot',
        freeUnits: 50,
        limitUnits: null,
        unlimited: false,
        period: 'none',
        metadata: {},
        periodStart: null,
        usedUnits: 0,
        reservedUnits: 0,
        grantUnits: 0,
        createdAt: now,
      })
      return customer
    })
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        storeFor(index).transaction((tx) =>
          preflight(tx, context(project), {
            agent_id: 'agent',
            customer_id: 'hot',
            estimated_units: 1,
            reserve: true,
          }),
        ),
      ),
    )
    const approved = answers.filter((answer) => answer.body.approved)
    expect(approved).toHaveLength(50)
    expect(
      approved.map((answer) => answer.body.remaining_units).sort((a, b) => (a ?? 0) - (b ?? 0)),
    ).toEqual(Array.from({ length: 50 }, (_, index) => index))
    expect(await counters(project.id, 'hot')).toEqual({
      used: 0,
      reserved: 50,
      events: 0,
      open: 50,
    })
  })

  it('creates a new customer once when many first requests race for it', async () => {
    const project = await newProject()
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        storeFor(index).transaction((tx) =>
          record(tx, context(project), { agent_id: 'a', customer_id: 'fresh', units: 2 }),
        ),
      ),
    )
    expect(answers.every((answer) => !answer.replay)).toBe(true)
    expect(await counters(project.id, 'fresh')).toMatchObject({ used: 80, events: 80 })
  })

  it('replays the first result when concurrent requests share idempotency keys (no 409)', async () => {
    const project = await newProject()
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        storeFor(index).transaction((tx) =>
          record(tx, context(project), {
            agent_id: 'a',
            customer_id: 'keys',
            units: 3,
            idempotency_key: `key-${index % 20}`,
          }),
        ),
      ),
    )
    expect(answers.filter((answer) => !answer.replay)).toHaveLength(20)
    const byKey = new Map<string, Set<string>>()
    answers.forEach((answer, index) => {
      const ids = byKey.get(`key-${index % 20}`) ?? new Set()
      ids.add(answer.body.event_id)
      byKey.set(`key-${index % 20}`, ids)
    })
    for (const ids of byKey.values()) expect(ids.size).toBe(1)
    expect(await counters(project.id, 'keys')).toMatchObject({ used: 60, events: 60 })
    // Preflights and grants race the same way.
    const decisions = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        storeFor(index).transaction((tx) =>
          preflight(tx, context(project), {
            agent_id: 'a',
            customer_id: 'keys',
            estimated_units: 5,
            reserve: true,
            idempotency_key: `hold-${index % 3}`,
          }),
        ),
      ),
    )
    expect(new Set(decisions.map((answer) => answer.body.reservation_id)).size).toBe(3)
    expect(await counters(project.id, 'keys')).toMatchObject({ reserved: 15, open: 15 })
    const grants = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        storeFor(index).transaction((tx) =>
          createGrant(tx, context(project), 'keys', { units: 7, idempotency_key: 'top-up' }),
        ),
      ),
    )
    expect(new Set(grants.map((answer) => answer.body.id)).size).toBe(1)
    const grantUnits = await adminQuery<{ total: string }>(
      `SELECT sum(units) AS total FROM ${schema}.grants WHERE project_id = $1`,
      [project.id],
    )
    expect(Number(grantUnits[0]?.total)).toBe(7)
  })

  it('expires each hold exactly once while readers and sweeps on both instances race', async () => {
    const project = await newProject()
    const customers = Array.from({ length: 8 }, (_, index) => `c${index}`)
    // 160 holds (20 per customer, half of them in runs shared across customers), due later.
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        customers.map((customerId, index) =>
          one.transaction((tx) =>
            preflight(tx, context(project), {
              agent_id: 'a',
              customer_id: customerId,
              estimated_units: 2,
              reserve: true,
              ttl_seconds: 60,
              ...(round % 2 === 0 ? { run_id: `run-${(index + round) % 3}` } : {}),
            }),
          ),
        ),
      )
    }
    const later = now + 61_000
    // Every customer read expires the whole project's due holds; sweeps do the same across
    // projects. All of it at once, from both pools.
    const work: Promise<unknown>[] = []
    for (let index = 0; index < 60; index++) {
      const store = storeFor(index)
      const customerId = customers[index % customers.length] as string
      work.push(
        index % 5 === 0
          ? store.transaction((tx) => sweepExpiredReservations(tx, later, 25))
          : store.transaction((tx) => getBalance(tx, context(project, later), customerId)),
      )
    }
    await Promise.all(work)
    // Whatever a busy row made a transaction skip, a final sweep takes.
    while ((await one.transaction((tx) => sweepExpiredReservations(tx, later, 500))) > 0) {}
    const statuses = await adminQuery<{ status: string; count: string }>(
      `SELECT status, count(*) AS count FROM ${schema}.reservations WHERE project_id = $1
       GROUP BY status`,
      [project.id],
    )
    expect(statuses).toEqual([{ status: 'expired', count: '160' }])
    for (const customerId of customers) {
      expect(await counters(project.id, customerId)).toEqual({
        used: 0,
        reserved: 0,
        events: 0,
        open: 0,
      })
    }
    const runs = await adminQuery<{ reserved: string }>(
      `SELECT reserved_units AS reserved FROM ${schema}.runs WHERE project_id = $1`,
      [project.id],
    )
    expect(runs.map((row) => Number(row.reserved))).toEqual([0, 0, 0])
  })

  it('keeps both of two concurrent project updates to different fields', async () => {
    const project = await newProject()
    let firstCommitted: () => void = () => {}
    const first = new Promise<void>((resolve) => {
      firstCommitted = resolve
    })
    const retriesBefore = two.stats.retriedAfterAbort
    // The second reads the project (as every request's key lookup does), then waits until the
    // first has renamed it, then changes free_units from its now stale read.
    const second = two.transaction(async (tx) => {
      const read = await tx.getProject(project.id)
      if (read === undefined) throw new Error('project missing')
      await first
      return updateProject(tx, context(read), { free_units: 321 })
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    await one.transaction(async (tx) => {
      const read = await tx.getProject(project.id)
      if (read === undefined) throw new Error('project missing')
      return updateProject(tx, context(read), { name: 'renamed' })
    })
    firstCommitted()
    await second
    expect(await one.transaction((tx) => tx.getProject(project.id))).toMatchObject({
      name: 'renamed',
      freeUnits: 321,
    })
    // The stale write was refused and the second transaction ran again on a fresh read.
    expect(two.stats.retriedAfterAbort).toBe(retriesBefore + 1)
  })

  it('creates one first project when two instances bootstrap an empty database at once', async () => {
    const emptySchema = uniqueIdentifier('agentbill_boot')
    const stores = await Promise.all(
      [0, 1, 2].map(() =>
        openPostgresStore({ connectionString: TEST_DATABASE_URL, schema: emptySchema }),
      ),
    )
    try {
      const created = await Promise.all(
        stores.map((store) =>
          store.transaction(async (tx) => {
            if ((await tx.countProjects()) > 0) return null
            return createProject(tx, { project_name: 'Default project' }, now)
          }),
        ),
      )
      expect(created.filter((result) => result !== null)).toHaveLength(1)
    } finally {
      await Promise.all(stores.map((store) => store.close()))
      await dropTestSchema(emptySchema)
    }
  })
})
