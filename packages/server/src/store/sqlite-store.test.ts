import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createId } from '../ids.js'
import { openSqliteStore } from './sqlite-store.js'
import { runStoreConformance } from './store-conformance.js'

const directory = mkdtempSync(join(tmpdir(), 'agentbill-sqlite-store-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))
let files = 0
const newFile = () => join(directory, `store-${++files}.db`)

runStoreConformance('SQLite file, FULL with background fsync', async () =>
  openSqliteStore({ path: newFile() }),
)
runStoreConformance('SQLite file, FULL with inline fsync', async () =>
  openSqliteStore({ path: newFile(), fsync: 'inline' }),
)
runStoreConformance('SQLite file, NORMAL', async () =>
  openSqliteStore({ path: newFile(), synchronous: 'NORMAL' }),
)
runStoreConformance('SQLite :memory:', async () => openSqliteStore({ path: ':memory:' }))

describe('SQLite store specifics', () => {
  it('commits concurrent transactions in shared groups', async () => {
    const store = openSqliteStore({ path: newFile() })
    const projectId = createId('prj')
    await store.transaction((tx) =>
      tx.insertProject({
        id: projectId,
        name: 'p',
        freeUnits: 1000,
        upgradeUrl: null,
        defaultTtlSeconds: 900,
        createdAt: 0,
      }),
    )
    const before = store.groupStats
    await Promise.all(
      Array.from({ length: 300 }, (_, index) =>
        store.transaction((tx) =>
          tx.insertEvent({
            id: createId('evt'),
            projectId,
            customerId: 'c',
            agentId: 'a',
            runId: null,
            units: index,
            metadata: {},
            idempotencyKey: `k${index}`,
            reservationId: null,
            reservationStatus: null,
            remainingUnits: null,
            overageUnits: 0,
            createdAt: 0,
          }),
        ),
      ),
    )
    const after = store.groupStats
    expect(after.transactions - before.transactions).toBe(300)
    // 300 transactions queued in one turn share far fewer database commits.
    expect(after.groups - before.groups).toBeLessThan(10)
    await store.close()
  })

  it('keeps the WAL small under sustained writes (checkpoints keep running)', async () => {
    const path = newFile()
    const store = openSqliteStore({ path })
    const projectId = createId('prj')
    await store.transaction((tx) =>
      tx.insertProject({
        id: projectId,
        name: 'p',
        freeUnits: 1000,
        upgradeUrl: null,
        defaultTtlSeconds: 900,
        createdAt: 0,
      }),
    )
    const metadata = { note: 'x'.repeat(500) }
    for (let round = 0; round < 80; round++) {
      await Promise.all(
        Array.from({ length: 500 }, (_, index) =>
          store.transaction(async (tx) => {
            const customer = await tx.ensureCustomer({
              projectId,
              customerId: `c${index % 20}`,
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
            await tx.updateCustomer({ ...customer, usedUnits: customer.usedUnits + 1 })
            await tx.insertEvent({
              id: createId('evt'),
              projectId,
              customerId: customer.customerId,
              agentId: 'a',
              runId: null,
              units: 1,
              metadata,
              idempotencyKey: `k${round}-${index}`,
              reservationId: null,
              reservationStatus: null,
              remainingUnits: null,
              overageUnits: 0,
              createdAt: 0,
            })
            // Expire through the RETURNING-free path the ledger uses on every read.
            await tx.expireReservations({ projectId, customerId: customer.customerId, now: 0 })
          }),
        ),
      )
    }
    const databaseBytes = statSync(path).size
    const walBytes = statSync(`${path}-wal`).size
    // 40,000 events of ~600 bytes: ~30 MB of data, and every page rewritten many times.
    // Without checkpoints the WAL would hold all of it; with them it stays near the
    // 4,000-page (16 MiB) threshold.
    expect(databaseBytes).toBeGreaterThan(20 * 1024 * 1024)
    expect(walBytes).toBeLessThan(24 * 1024 * 1024)
    await store.close()
  })

  it('applies migrations once and reopens an existing file', async () => {
    const path = newFile()
    const first = openSqliteStore({ path })
    const projectId = createId('prj')
    await first.transaction((tx) =>
      tx.insertProject({
        id: projectId,
        name: 'kept',
        freeUnits: 5,
        upgradeUrl: null,
        defaultTtlSeconds: 60,
        createdAt: 0,
      }),
    )
    await first.close()
    const second = openSqliteStore({ path })
    expect(await second.transaction((tx) => tx.getProject(projectId))).toMatchObject({
      name: 'kept',
      freeUnits: 5,
    })
    await second.close()
    expect(await second.ping()).toBe(false)
    await expect(second.transaction((tx) => tx.countProjects())).rejects.toThrow(/closed/)
  })
})

describe('SQLite activity queries', () => {
  it('bound their scan by the minId hint (the primary key), not only by created_at', async () => {
    const store = openSqliteStore({ path: ':memory:' })
    const projectId = createId('prj')
    const now = Date.UTC(2026, 0, 1)
    await store.transaction(async (tx) => {
      await tx.insertProject({
        id: projectId,
        name: 'p',
        freeUnits: 1000,
        upgradeUrl: null,
        defaultTtlSeconds: 900,
        createdAt: now,
      })
      for (const [id, units] of [
        ['evt_A', 1],
        ['evt_B', 2],
      ] as const) {
        await tx.insertEvent({
          id,
          projectId,
          customerId: 'c',
          agentId: 'a',
          runId: null,
          units,
          metadata: {},
          idempotencyKey: null,
          reservationId: null,
          reservationStatus: null,
          remainingUnits: null,
          overageUnits: 0,
          createdAt: now,
        })
      }
    })
    // Used as given: a row below the hint is not read (which is what makes it fast).
    const listed = await store.transaction((tx) =>
      tx.listEvents(projectId, { limit: 10, minId: 'evt_B' }),
    )
    expect(listed.map((item) => item.id)).toEqual(['evt_B'])
    await store.close()
  })
})
