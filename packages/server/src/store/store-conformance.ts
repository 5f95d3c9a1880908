import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createId, idLowerBound } from '../ids.js'
import type {
  CustomerRow,
  DecisionRow,
  EventRow,
  ProjectRow,
  ReservationRow,
  Store,
  StoreTransaction,
} from './store.js'
import { StoreConflictError } from './store.js'
import { runWebhookStoreConformance } from './webhook-store-conformance.js'

/**
 * The behaviour every {@link Store} must have, as a vitest suite. Each store's test file calls
 * it with a factory of fresh, empty stores (SQLite here; PostgreSQL in its own file):
 *
 * @example
 * runStoreConformance('SQLite file', async () => openSqliteStore({ path: tempFile() }))
 */
export function runStoreConformance(name: string, createStore: () => Promise<Store>): void {
  runWebhookStoreConformance(name, createStore)
  describe(`Store conformance: ${name}`, () => {
    let store: Store
    const now = Date.UTC(2026, 0, 15, 12)

    beforeEach(async () => {
      store = await createStore()
    })
    afterEach(async () => {
      await store.close()
    })

    const project = (id = createId('prj', now)): ProjectRow => ({
      id,
      name: 'Conformance',
      freeUnits: 1000,
      upgradeUrl: null,
      defaultTtlSeconds: 900,
      createdAt: now,
    })

    const customer = (projectId: string, customerId: string): CustomerRow => ({
      projectId,
      customerId,
      freeUnits: 1000,
      limitUnits: null,
      unlimited: false,
      period: 'none',
      metadata: { tier: 'pro' },
      periodStart: null,
      usedUnits: 0,
      reservedUnits: 0,
      grantUnits: 0,
      createdAt: now,
    })

    const event = (projectId: string, overrides: Partial<EventRow> = {}): EventRow => ({
      id: createId('evt', now),
      projectId,
      customerId: 'c1',
      agentId: 'agent',
      runId: null,
      units: 5,
      metadata: {},
      idempotencyKey: null,
      reservationId: null,
      reservationStatus: null,
      remainingUnits: 995,
      overageUnits: 0,
      createdAt: now,
      ...overrides,
    })

    const reservation = (
      projectId: string,
      overrides: Partial<ReservationRow> = {},
    ): ReservationRow => ({
      id: createId('rsv', now),
      projectId,
      customerId: 'c1',
      agentId: 'agent',
      runId: null,
      units: 10,
      status: 'open',
      expiresAt: now + 1000,
      createdAt: now,
      closedAt: null,
      ...overrides,
    })

    const seedProject = async (): Promise<ProjectRow> => {
      const row = project()
      await store.transaction((tx) => tx.insertProject(row))
      return row
    }

    it('keeps what a transaction wrote, and reads it back', async () => {
      const row = await seedProject()
      const read = await store.transaction((tx) => tx.getProject(row.id))
      expect(read).toEqual(row)
      expect(await store.transaction((tx) => tx.countProjects())).toBe(1)
    })

    it('keeps nothing of a transaction that throws, and rethrows its error', async () => {
      const row = project()
      const failure = new Error('boom')
      await expect(
        store.transaction(async (tx) => {
          await tx.insertProject(row)
          await tx.ensureCustomer(customer(row.id, 'c1'))
          throw failure
        }),
      ).rejects.toBe(failure)
      expect(await store.transaction((tx) => tx.getProject(row.id))).toBeUndefined()
      expect(await store.transaction((tx) => tx.getCustomer(row.id, 'c1'))).toBeUndefined()
    })

    it('isolates concurrent transactions: one failing undoes none of the others', async () => {
      const row = await seedProject()
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, index) =>
          store.transaction(async (tx) => {
            await tx.ensureCustomer(customer(row.id, `c${index}`))
            if (index % 3 === 0) throw new Error(`fail ${index}`)
            return index
          }),
        ),
      )
      const kept = await store.transaction((tx) => tx.listCustomers(row.id, { limit: 100 }))
      const expected = results.flatMap((result, index) =>
        result.status === 'fulfilled' ? [`c${index}`] : [],
      )
      expect(kept.map((item) => item.customerId).sort()).toEqual(expected.sort())
      expect(results.filter((result) => result.status === 'rejected')).toHaveLength(7)
    })

    it('serializes read-modify-write across concurrent transactions', async () => {
      const row = await seedProject()
      await store.transaction((tx) => tx.ensureCustomer(customer(row.id, 'hot')))
      await Promise.all(
        Array.from({ length: 50 }, () =>
          store.transaction(async (tx) => {
            const current = (await tx.getCustomer(row.id, 'hot')) as CustomerRow
            await tx.updateCustomer({ ...current, usedUnits: current.usedUnits + 1 })
          }),
        ),
      )
      const final = await store.transaction((tx) => tx.getCustomer(row.id, 'hot'))
      expect(final?.usedUnits).toBe(50)
    })

    it('ensureCustomer inserts once and then returns the stored row', async () => {
      const row = await seedProject()
      const first = await store.transaction((tx) => tx.ensureCustomer(customer(row.id, 'c1')))
      const second = await store.transaction((tx) =>
        tx.ensureCustomer({ ...customer(row.id, 'c1'), freeUnits: 5 }),
      )
      expect(second).toEqual(first)
      expect(second.metadata).toEqual({ tier: 'pro' })
      await store.transaction((tx) =>
        tx.updateCustomer({
          ...first,
          limitUnits: 7,
          unlimited: true,
          period: 'month',
          periodStart: now,
        }),
      )
      expect(await store.transaction((tx) => tx.getCustomer(row.id, 'c1'))).toMatchObject({
        limitUnits: 7,
        unlimited: true,
        period: 'month',
        periodStart: now,
      })
    })

    it('scopes every lookup to its project', async () => {
      const a = await seedProject()
      const b = await seedProject()
      const held = reservation(a.id)
      await store.transaction(async (tx) => {
        await tx.ensureCustomer(customer(a.id, 'c1'))
        await tx.insertReservation(held)
        await tx.insertEvent(event(a.id, { idempotencyKey: 'same' }))
      })
      await store.transaction(async (tx) => {
        expect(await tx.getCustomer(b.id, 'c1')).toBeUndefined()
        expect(await tx.getReservation(b.id, held.id)).toBeUndefined()
        expect(await tx.findEventByIdempotencyKey(b.id, 'same')).toBeUndefined()
        expect(await tx.listEvents(b.id, { limit: 10 })).toEqual([])
        // The same idempotency key is free in another project.
        await tx.insertEvent(event(b.id, { idempotencyKey: 'same' }))
      })
    })

    it('refuses a second row with the same idempotency key as a StoreConflictError', async () => {
      const row = await seedProject()
      await store.transaction((tx) => tx.insertEvent(event(row.id, { idempotencyKey: 'k' })))
      await expect(
        store.transaction((tx) => tx.insertEvent(event(row.id, { idempotencyKey: 'k' }))),
      ).rejects.toBeInstanceOf(StoreConflictError)
      const stored = await store.transaction((tx) => tx.findEventByIdempotencyKey(row.id, 'k'))
      expect(stored?.units).toBe(5)
    })

    it('expires only open reservations past their expiry, once', async () => {
      const row = await seedProject()
      const due = reservation(row.id, { expiresAt: now - 1, runId: 'run-1' })
      const later = reservation(row.id, { expiresAt: now + 60_000 })
      const settled = reservation(row.id, { expiresAt: now - 1, status: 'settled', closedAt: now })
      const other = reservation(row.id, { expiresAt: now - 1, customerId: 'c2' })
      await store.transaction(async (tx) => {
        for (const item of [due, later, settled, other]) await tx.insertReservation(item)
      })
      const expire = (tx: StoreTransaction) =>
        tx.expireReservations({ projectId: row.id, customerId: 'c1', now })
      const first = await store.transaction(expire)
      expect(first.map((item) => item.id)).toEqual([due.id])
      expect(first[0]).toMatchObject({ units: 10, runId: 'run-1' })
      expect(await store.transaction(expire)).toEqual([])
      expect(await store.transaction((tx) => tx.getReservation(row.id, due.id))).toMatchObject({
        status: 'expired',
        closedAt: now,
      })
      const sweep = await store.transaction((tx) => tx.expireReservations({ now, limit: 10 }))
      expect(sweep.map((item) => item.id)).toEqual([other.id])
    })

    it('closes a reservation only while it is open', async () => {
      const row = await seedProject()
      const held = reservation(row.id)
      await store.transaction((tx) => tx.insertReservation(held))
      await store.transaction((tx) => tx.closeReservation(row.id, held.id, 'settled', now + 5))
      await store.transaction((tx) => tx.closeReservation(row.id, held.id, 'released', now + 9))
      expect(await store.transaction((tx) => tx.getReservation(row.id, held.id))).toMatchObject({
        status: 'settled',
        closedAt: now + 5,
      })
    })

    it('lists events newest first with cursor and filters, and sums them', async () => {
      const row = await seedProject()
      const events = Array.from({ length: 7 }, (_, index) =>
        event(row.id, {
          id: createId('evt', now + index),
          createdAt: now + index * 1000,
          customerId: index % 2 === 0 ? 'even' : 'odd',
          agentId: index < 4 ? 'early' : 'late',
          units: index + 1,
        }),
      )
      await store.transaction(async (tx) => {
        for (const item of events) await tx.insertEvent(item)
      })
      const page = await store.transaction((tx) => tx.listEvents(row.id, { limit: 3 }))
      // limit + 1 rows: the extra one tells the caller there is a next page.
      expect(page.map((item) => item.units)).toEqual([7, 6, 5, 4])
      const next = await store.transaction((tx) =>
        tx.listEvents(row.id, { limit: 3, startingAfter: page[2]?.id }),
      )
      expect(next.map((item) => item.units)).toEqual([4, 3, 2, 1])
      const filtered = await store.transaction((tx) =>
        tx.listEvents(row.id, {
          limit: 10,
          customerId: 'even',
          since: now + 1000,
          until: now + 6000,
        }),
      )
      expect(filtered.map((item) => item.units)).toEqual([5, 3])
      const last = await store.transaction((tx) =>
        tx.listEvents(row.id, { limit: 3, startingAfter: next[2]?.id }),
      )
      expect(last.map((item) => item.units)).toEqual([1])
      expect(await store.transaction((tx) => tx.recentEventUnits(row.id, 'early', 2))).toEqual([
        4, 3,
      ])
      expect(await store.transaction((tx) => tx.sumEventUnits(row.id, 'odd', now + 2000))).toBe(
        4 + 6,
      )
    })

    it('groups usage by day, agent and customer', async () => {
      const row = await seedProject()
      const day1 = Date.UTC(2026, 0, 1, 23, 59)
      const day2 = Date.UTC(2026, 0, 2, 0, 1)
      await store.transaction(async (tx) => {
        await tx.insertEvent(event(row.id, { createdAt: day1, agentId: 'a', units: 2 }))
        await tx.insertEvent(event(row.id, { createdAt: day1, agentId: 'b', units: 3 }))
        await tx.insertEvent(event(row.id, { createdAt: day2, agentId: 'a', units: 4 }))
      })
      const byDayAgent = await store.transaction((tx) =>
        tx.usage(row.id, { groupBy: ['day', 'agent'] }),
      )
      expect(byDayAgent).toEqual([
        { day: '2026-01-01', agentId: 'a', units: 2, events: 1 },
        { day: '2026-01-01', agentId: 'b', units: 3, events: 1 },
        { day: '2026-01-02', agentId: 'a', units: 4, events: 1 },
      ])
      const byCustomer = await store.transaction((tx) =>
        tx.usage(row.id, { groupBy: ['customer'], since: day2 }),
      )
      expect(byCustomer).toEqual([{ customerId: 'c1', units: 4, events: 1 }])
    })

    it('stores keys, finds them by hash with their project, and revokes them', async () => {
      const row = await seedProject()
      const key = {
        id: createId('key', now),
        projectId: row.id,
        name: 'ci',
        scope: 'runtime' as const,
        keyHash: 'f'.repeat(64),
        prefix: 'agb_abcd',
        last4: 'wxyz',
        createdAt: now,
        revokedAt: null,
      }
      await store.transaction((tx) => tx.insertApiKey(key))
      expect(await store.transaction((tx) => tx.findApiKeyByHash(key.keyHash))).toEqual({
        key,
        project: row,
      })
      await store.transaction((tx) => tx.revokeApiKey(row.id, key.id, now + 1))
      const listed = await store.transaction((tx) => tx.listApiKeys(row.id))
      expect(listed).toEqual([{ ...key, revokedAt: now + 1 }])
    })

    it('keeps decisions and grants with their idempotency keys, and sums grants', async () => {
      const row = await seedProject()
      await store.transaction(async (tx) => {
        await tx.insertGrant({
          id: createId('gnt', now),
          projectId: row.id,
          customerId: 'c1',
          units: 50,
          reason: 'top-up',
          idempotencyKey: 'g1',
          createdAt: now,
        })
        await tx.insertDecision({
          id: createId('dec', now),
          projectId: row.id,
          customerId: 'c1',
          agentId: 'agent',
          runId: 'r',
          approved: false,
          reason: 'budget_exhausted',
          estimatedUnits: 10,
          estimateSource: 'history',
          ceiling: null,
          remainingUnits: 3,
          runRemainingUnits: null,
          reservationId: null,
          expiresAt: null,
          idempotencyKey: 'd1',
          requestDigest: 'digest',
          createdAt: now,
        })
      })
      expect(
        await store.transaction((tx) => tx.findGrantByIdempotencyKey(row.id, 'g1')),
      ).toMatchObject({
        units: 50,
        reason: 'top-up',
      })
      expect(await store.transaction((tx) => tx.sumGrantUnits(row.id, 'c1', now))).toBe(50)
      expect(await store.transaction((tx) => tx.sumGrantUnits(row.id, 'c1', now + 1))).toBe(0)
      const decision = await store.transaction((tx) =>
        tx.findDecisionByIdempotencyKey(row.id, 'd1'),
      )
      expect(decision).toMatchObject({ approved: false, estimateSource: 'history', runId: 'r' })
      const blocked = await store.transaction((tx) =>
        tx.listDecisions(row.id, { limit: 10, approved: false }),
      )
      expect(blocked).toHaveLength(1)
      expect(
        await store.transaction((tx) => tx.listDecisions(row.id, { limit: 10, approved: true })),
      ).toEqual([])
    })

    it('answers the same with or without the minId hint that goes with since', async () => {
      const row = await seedProject()
      // Rows as the ledger writes them: an id's time part is never before its created_at.
      const rows = [0, 1, 2, 3].map((index) =>
        event(row.id, {
          id: createId('evt', now + index * 60_000),
          createdAt: now + index * 60_000,
          units: index + 1,
        }),
      )
      await store.transaction(async (tx) => {
        for (const item of rows) await tx.insertEvent(item)
      })
      const since = now + 60_000
      const minId = idLowerBound('evt', since)
      const listed = (filter: { minId?: string }) =>
        store.transaction(async (tx) =>
          (await tx.listEvents(row.id, { limit: 10, since, ...filter })).map((item) => item.units),
        )
      expect(await listed({ minId })).toEqual([4, 3, 2])
      expect(await listed({ minId })).toEqual(await listed({}))
      expect(
        await store.transaction((tx) => tx.usage(row.id, { groupBy: ['agent'], since, minId })),
      ).toEqual([{ agentId: 'agent', units: 9, events: 3 }])
    })

    it('filters usage by customer and agent', async () => {
      const row = await seedProject()
      await store.transaction(async (tx) => {
        await tx.insertEvent(event(row.id, { customerId: 'c1', agentId: 'a', units: 2 }))
        await tx.insertEvent(event(row.id, { customerId: 'c1', agentId: 'b', units: 3 }))
        await tx.insertEvent(event(row.id, { customerId: 'c2', agentId: 'a', units: 4 }))
      })
      expect(
        await store.transaction((tx) => tx.usage(row.id, { groupBy: ['agent'], customerId: 'c1' })),
      ).toEqual([
        { agentId: 'a', units: 2, events: 1 },
        { agentId: 'b', units: 3, events: 1 },
      ])
      expect(
        await store.transaction((tx) => tx.usage(row.id, { groupBy: ['customer'], agentId: 'a' })),
      ).toEqual([
        { customerId: 'c1', units: 2, events: 1 },
        { customerId: 'c2', units: 4, events: 1 },
      ])
    })

    it('counts decisions grouped by day, agent, customer and reason, filtered', async () => {
      const row = await seedProject()
      const day1 = Date.UTC(2026, 0, 1, 23, 59)
      const day2 = Date.UTC(2026, 0, 2, 0, 1)
      const decision = (overrides: Partial<DecisionRow>): DecisionRow => ({
        id: createId('dec', now),
        projectId: row.id,
        customerId: 'c1',
        agentId: 'a',
        runId: null,
        approved: false,
        reason: 'budget_exhausted',
        estimatedUnits: 10,
        estimateSource: 'request',
        ceiling: null,
        remainingUnits: 0,
        runRemainingUnits: null,
        reservationId: null,
        expiresAt: null,
        idempotencyKey: null,
        requestDigest: null,
        createdAt: day1,
        ...overrides,
      })
      await store.transaction(async (tx) => {
        await tx.insertDecision(decision({}))
        await tx.insertDecision(decision({ agentId: 'b', reason: 'ceiling_exceeded' }))
        await tx.insertDecision(decision({ createdAt: day2, estimatedUnits: 7 }))
        await tx.insertDecision(
          decision({ createdAt: day2, approved: true, reason: null, customerId: 'c2' }),
        )
      })
      const summary = (query: Parameters<StoreTransaction['decisionSummary']>[1]) =>
        store.transaction((tx) => tx.decisionSummary(row.id, query))
      expect(await summary({ groupBy: ['day'], approved: false })).toEqual([
        { day: '2026-01-01', decisions: 2, estimatedUnits: 20 },
        { day: '2026-01-02', decisions: 1, estimatedUnits: 7 },
      ])
      expect(await summary({ groupBy: ['reason'] })).toEqual([
        { reason: null, decisions: 1, estimatedUnits: 10 },
        { reason: 'budget_exhausted', decisions: 2, estimatedUnits: 17 },
        { reason: 'ceiling_exceeded', decisions: 1, estimatedUnits: 10 },
      ])
      expect(await summary({ groupBy: ['agent', 'customer'], since: day2 })).toEqual([
        { agentId: 'a', customerId: 'c1', decisions: 1, estimatedUnits: 7 },
        { agentId: 'a', customerId: 'c2', decisions: 1, estimatedUnits: 10 },
      ])
      expect(await summary({ groupBy: ['day'], agentId: 'b', until: day2 })).toEqual([
        { day: '2026-01-01', decisions: 1, estimatedUnits: 10 },
      ])
      expect(await summary({ groupBy: ['customer'], customerId: 'nobody' })).toEqual([])
    })

    it('searches customers by id: ASCII case folded, % and _ literal, with the cursor', async () => {
      const row = await seedProject()
      await store.transaction(async (tx) => {
        for (const id of ['Acme-1', 'acme-2', 'ACME_3', 'globex', '50%off', '50xoff', 'ÄCME']) {
          await tx.ensureCustomer(customer(row.id, id))
        }
      })
      const search = (text: string, startingAfter?: string) =>
        store.transaction(async (tx) =>
          (await tx.listCustomers(row.id, { limit: 10, search: text, startingAfter })).map(
            (item) => item.customerId,
          ),
        )
      expect(await search('acme')).toEqual(['ACME_3', 'Acme-1', 'acme-2'])
      expect(await search('acme', 'ACME_3')).toEqual(['Acme-1', 'acme-2'])
      expect(await search('E_')).toEqual(['ACME_3'])
      expect(await search('%')).toEqual(['50%off'])
      expect(await search('ÄCME')).toEqual(['ÄCME'])
      expect(await search('nothing')).toEqual([])
      const page = await store.transaction((tx) =>
        tx.listCustomers(row.id, { limit: 1, search: 'acme' }),
      )
      // limit + 1 rows, as for every list.
      expect(page.map((item) => item.customerId)).toEqual(['ACME_3', 'Acme-1'])
    })

    it('keeps sessions with their key and project, and deletes them', async () => {
      const row = await seedProject()
      const key = {
        id: createId('key', now),
        projectId: row.id,
        name: 'admin',
        scope: 'admin' as const,
        keyHash: 'e'.repeat(64),
        prefix: 'agb_abcd',
        last4: 'wxyz',
        createdAt: now,
        revokedAt: null,
      }
      const session = (tokenHash: string, expiresAt: number) => ({
        tokenHash,
        projectId: row.id,
        keyId: key.id,
        createdAt: now,
        expiresAt,
      })
      await store.transaction(async (tx) => {
        await tx.insertApiKey(key)
        await tx.insertSession(session('a'.repeat(64), now + 1000))
        await tx.insertSession(session('b'.repeat(64), now - 1))
        await tx.insertSession(session('c'.repeat(64), now))
      })
      expect(await store.transaction((tx) => tx.findSessionByHash('a'.repeat(64)))).toEqual({
        session: session('a'.repeat(64), now + 1000),
        key,
        project: row,
      })
      expect(await store.transaction((tx) => tx.findSessionByHash('f'.repeat(64)))).toBe(undefined)
      // Revoking the key shows in the session's lookup (the caller refuses it).
      await store.transaction((tx) => tx.revokeApiKey(row.id, key.id, now + 5))
      const revoked = await store.transaction((tx) => tx.findSessionByHash('a'.repeat(64)))
      expect(revoked?.key.revokedAt).toBe(now + 5)
      expect(await store.transaction((tx) => tx.deleteExpiredSessions(now, 1))).toBe(1)
      expect(await store.transaction((tx) => tx.deleteExpiredSessions(now, 10))).toBe(1)
      expect(await store.transaction((tx) => tx.findSessionByHash('b'.repeat(64)))).toBe(undefined)
      expect(await store.transaction((tx) => tx.findSessionByHash('c'.repeat(64)))).toBe(undefined)
      await store.transaction((tx) => tx.deleteSession('a'.repeat(64)))
      expect(await store.transaction((tx) => tx.findSessionByHash('a'.repeat(64)))).toBe(undefined)
    })

    it('answers ping while open', async () => {
      expect(await store.ping()).toBe(true)
    })
  })
}
