import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createId } from '../ids.js'
import type { ProjectRow, Store, StoreTransaction } from './store.js'
import type {
  WebhookDeliveryRow,
  WebhookEndpointRow,
  WebhookEventRow,
  WebhookStoreTransaction,
} from './webhook-store.js'

/**
 * The webhook operations every {@link Store} must have (`tx.webhooks`), as a vitest suite run
 * by `runStoreConformance` on each store.
 */
export function runWebhookStoreConformance(name: string, createStore: () => Promise<Store>): void {
  describe(`Webhook store conformance: ${name}`, () => {
    let store: Store
    const now = Date.UTC(2026, 0, 15, 12)

    beforeEach(async () => {
      store = await createStore()
    })
    afterEach(async () => {
      await store.close()
    })

    const inTx = <T>(fn: (webhooks: WebhookStoreTransaction, tx: StoreTransaction) => Promise<T>) =>
      store.transaction((tx) => fn(tx.webhooks, tx))

    const seedProject = async (): Promise<ProjectRow> => {
      const row: ProjectRow = {
        id: createId('prj', now),
        name: 'Webhooks',
        freeUnits: 1000,
        upgradeUrl: null,
        defaultTtlSeconds: 900,
        createdAt: now,
      }
      await store.transaction((tx) => tx.insertProject(row))
      return row
    }

    const endpoint = (projectId: string, overrides: Partial<WebhookEndpointRow> = {}) => ({
      id: createId('whe', now),
      projectId,
      url: 'https://hooks.example/agentbill',
      description: null,
      events: ['*'],
      thresholds: [80, 100],
      secret: 'whsec_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
      createdAt: now,
      deletedAt: null,
      ...overrides,
    })

    const event = (projectId: string, overrides: Partial<WebhookEventRow> = {}) => {
      const id = createId('whevt', now)
      return {
        id,
        projectId,
        type: 'grant.created',
        payload: JSON.stringify({ id, type: 'grant.created', data: { units: 5 } }),
        dedupKey: null,
        createdAt: now,
        ...overrides,
      }
    }

    const delivery = (
      projectId: string,
      endpointId: string,
      eventId: string,
      overrides: Partial<WebhookDeliveryRow> = {},
    ): WebhookDeliveryRow => ({
      id: createId('whdel', now),
      projectId,
      endpointId,
      eventId,
      status: 'pending',
      attempts: 0,
      maxAttempts: 3,
      nextAttemptAt: now,
      lastAttemptAt: null,
      lastResponseStatus: null,
      lastError: null,
      createdAt: now,
      completedAt: null,
      ...overrides,
    })

    /** An endpoint, and `count` events each with a pending delivery due at `now + index`. */
    const seedDeliveries = async (count: number) => {
      const project = await seedProject()
      const target = endpoint(project.id)
      const deliveries: WebhookDeliveryRow[] = []
      await inTx(async (webhooks) => {
        await webhooks.insertEndpoint(target)
        for (let index = 0; index < count; index++) {
          const row = event(project.id)
          expect(await webhooks.insertEvent(row)).toBe(true)
          const pending = delivery(project.id, target.id, row.id, { nextAttemptAt: now + index })
          await webhooks.insertDelivery(pending)
          deliveries.push(pending)
        }
      })
      return { project, target, deliveries }
    }

    it('keeps endpoints, lists those not deleted, and deleting cancels pending deliveries', async () => {
      const project = await seedProject()
      const first = endpoint(project.id, { description: 'ops', events: ['grant.created'] })
      const second = endpoint(project.id, { thresholds: [50] })
      const other = await seedProject()
      await inTx(async (webhooks) => {
        await webhooks.insertEndpoint(first)
        await webhooks.insertEndpoint(second)
        await webhooks.insertEndpoint(endpoint(other.id))
      })
      expect(await inTx((webhooks) => webhooks.getEndpoint(project.id, first.id))).toEqual(first)
      expect(await inTx((webhooks) => webhooks.getEndpoint(other.id, first.id))).toBeUndefined()
      expect(await inTx((webhooks) => webhooks.listEndpoints(project.id))).toEqual([first, second])

      const sent = event(project.id)
      const queued = event(project.id)
      const done = delivery(project.id, second.id, sent.id, {
        status: 'succeeded',
        nextAttemptAt: null,
        completedAt: now,
      })
      const waiting = delivery(project.id, second.id, queued.id)
      await inTx(async (webhooks) => {
        await webhooks.insertEvent(sent)
        await webhooks.insertEvent(queued)
        await webhooks.insertDelivery(done)
        await webhooks.insertDelivery(waiting)
        await webhooks.deleteEndpoint(project.id, second.id, now + 5)
      })
      expect(await inTx((webhooks) => webhooks.listEndpoints(project.id))).toEqual([first])
      expect(await inTx((webhooks) => webhooks.getEndpoint(project.id, second.id))).toEqual({
        ...second,
        deletedAt: now + 5,
      })
      const after = await inTx((webhooks) =>
        webhooks.listDeliveries(project.id, second.id, { limit: 10 }),
      )
      expect(after.map((item) => [item.delivery.id, item.delivery.status])).toEqual([
        [waiting.id, 'cancelled'],
        [done.id, 'succeeded'],
      ])
      expect(after[0]?.delivery).toMatchObject({ nextAttemptAt: null, completedAt: now + 5 })
      expect(
        await inTx((webhooks) => webhooks.claimDeliveries({ now, limit: 10, leaseUntil: now + 1 })),
      ).toEqual([])
    })

    it('writes an event once per dedup key and project, quietly', async () => {
      const project = await seedProject()
      const other = await seedProject()
      const first = event(project.id, { dedupKey: 'threshold:c1:80:none:1000' })
      await expect(inTx((webhooks) => webhooks.insertEvent(first))).resolves.toBe(true)
      // The same key again (in a later transaction, and twice in one) writes nothing.
      await expect(
        inTx((webhooks) => webhooks.insertEvent(event(project.id, { dedupKey: first.dedupKey }))),
      ).resolves.toBe(false)
      const results = await inTx(async (webhooks) => [
        await webhooks.insertEvent(event(project.id, { dedupKey: 'k2' })),
        await webhooks.insertEvent(event(project.id, { dedupKey: 'k2' })),
        await webhooks.insertEvent(event(project.id)),
        await webhooks.insertEvent(event(project.id)),
        await webhooks.insertEvent(event(other.id, { dedupKey: first.dedupKey })),
      ])
      expect(results).toEqual([true, false, true, true, true])
      // Concurrent transactions with one key: exactly one writes it, none fails.
      const raced = await Promise.all(
        Array.from({ length: 6 }, () =>
          inTx((webhooks) => webhooks.insertEvent(event(project.id, { dedupKey: 'race' }))),
        ),
      )
      expect(raced.filter(Boolean)).toHaveLength(1)
    })

    it('keeps nothing of a transaction that throws', async () => {
      const project = await seedProject()
      const target = endpoint(project.id)
      await inTx((webhooks) => webhooks.insertEndpoint(target))
      const row = event(project.id, { dedupKey: 'rolled-back' })
      const failure = new Error('boom')
      await expect(
        inTx(async (webhooks) => {
          await webhooks.insertEvent(row)
          await webhooks.insertDelivery(delivery(project.id, target.id, row.id))
          throw failure
        }),
      ).rejects.toBe(failure)
      expect(
        await inTx((webhooks) => webhooks.listDeliveries(project.id, target.id, { limit: 5 })),
      ).toEqual([])
      // The key is free again: the event never happened.
      await expect(
        inTx((webhooks) => webhooks.insertEvent({ ...row, id: createId('whevt', now) })),
      ).resolves.toBe(true)
    })

    it('lists deliveries newest first with their events, by status and cursor', async () => {
      const { project, target, deliveries } = await seedDeliveries(3)
      const [oldest, middle, newest] = deliveries as [
        WebhookDeliveryRow,
        WebhookDeliveryRow,
        WebhookDeliveryRow,
      ]
      const list = (options: Parameters<WebhookStoreTransaction['listDeliveries']>[2]) =>
        inTx((webhooks) => webhooks.listDeliveries(project.id, target.id, options))
      const all = await list({ limit: 10 })
      expect(all.map((item) => item.delivery.id)).toEqual([newest.id, middle.id, oldest.id])
      expect(all[0]?.delivery).toEqual(newest)
      expect(all[0]?.event).toMatchObject({
        id: newest.eventId,
        type: 'grant.created',
        projectId: project.id,
      })
      expect(JSON.parse(all[0]?.event.payload ?? '')).toMatchObject({ id: newest.eventId })
      expect((await list({ limit: 1 })).map((item) => item.delivery.id)).toEqual([
        newest.id,
        middle.id,
      ])
      expect(
        (await list({ limit: 5, startingAfter: middle.id })).map((item) => item.delivery.id),
      ).toEqual([oldest.id])
      expect(await list({ limit: 5, status: 'succeeded' })).toEqual([])
      expect(await inTx((webhooks) => webhooks.getDelivery(project.id, middle.id))).toEqual(all[1])
      const other = await seedProject()
      expect(await inTx((webhooks) => webhooks.getDelivery(other.id, middle.id))).toBeUndefined()
      expect(
        await inTx((webhooks) => webhooks.listDeliveries(other.id, target.id, { limit: 5 })),
      ).toEqual([])
    })

    it('claims due deliveries once, oldest due first, until the lease ends', async () => {
      const { project, target, deliveries } = await seedDeliveries(3)
      const claim = (at: number, limit = 10) =>
        inTx((webhooks) => webhooks.claimDeliveries({ now: at, limit, leaseUntil: at + 60_000 }))
      // Only the first two are due at now + 1; with limit 1, the oldest due.
      const first = await claim(now + 1, 1)
      expect(first.map((item) => item.delivery.id)).toEqual([deliveries[0]?.id])
      expect(first[0]).toMatchObject({
        url: target.url,
        secret: target.secret,
        event: { id: deliveries[0]?.eventId, type: 'grant.created' },
        delivery: {
          attempts: 1,
          nextAttemptAt: now + 1 + 60_000,
          lastAttemptAt: now + 1,
          status: 'pending',
        },
      })
      const second = await claim(now + 1)
      expect(second.map((item) => item.delivery.id)).toEqual([deliveries[1]?.id])
      expect(await claim(now + 1)).toEqual([])
      expect((await claim(now + 2)).map((item) => item.delivery.id)).toEqual([deliveries[2]?.id])
      // The lease of the first ran out (its worker died): claimed again, as attempt 2.
      const again = await claim(now + 1 + 60_000)
      expect(again.map((item) => [item.delivery.id, item.delivery.attempts])).toEqual([
        [deliveries[0]?.id, 2],
        [deliveries[1]?.id, 2],
      ])
      const stored = await inTx((webhooks) =>
        webhooks.getDelivery(project.id, deliveries[0]?.id ?? ''),
      )
      expect(stored?.delivery).toMatchObject({ attempts: 2, nextAttemptAt: now + 1 + 120_000 })
      // Attempt 3 of 3 dies too: once due again, the delivery has no attempt left and fails.
      await claim(now + 1 + 120_000)
      const last = await claim(now + 1 + 180_000)
      expect(last.map((item) => [item.delivery.id, item.delivery.attempts])).toEqual([
        [deliveries[2]?.id, 3],
      ])
      const failed = await inTx((webhooks) =>
        webhooks.getDelivery(project.id, deliveries[0]?.id ?? ''),
      )
      expect(failed?.delivery).toMatchObject({
        status: 'failed',
        attempts: 3,
        nextAttemptAt: null,
        completedAt: now + 1 + 180_000,
      })
    })

    it('prunes finished deliveries before a time, with their attempts and the events left alone', async () => {
      const project = await seedProject()
      const target = endpoint(project.id)
      const second = endpoint(project.id)
      const events = Array.from({ length: 5 }, (_, index) =>
        event(project.id, index === 4 ? { dedupKey: 'threshold-once' } : {}),
      )
      const finished = (status: 'succeeded' | 'failed' | 'cancelled', completedAt: number) => ({
        status,
        nextAttemptAt: null,
        completedAt,
        attempts: 1,
      })
      const rows = [
        delivery(project.id, target.id, events[0]?.id ?? '', finished('succeeded', now - 30)),
        delivery(project.id, target.id, events[1]?.id ?? '', finished('failed', now - 20)),
        delivery(project.id, target.id, events[2]?.id ?? '', finished('cancelled', now - 10)),
        // The same event to another endpoint, still pending: the event must stay.
        delivery(project.id, second.id, events[2]?.id ?? '', { nextAttemptAt: now - 100 }),
        delivery(project.id, target.id, events[3]?.id ?? '', finished('succeeded', now + 10)),
        delivery(project.id, target.id, events[4]?.id ?? '', finished('succeeded', now - 5)),
      ]
      await inTx(async (webhooks) => {
        await webhooks.insertEndpoint(target)
        await webhooks.insertEndpoint(second)
        for (const row of events) await webhooks.insertEvent(row)
        for (const row of rows) await webhooks.insertDelivery(row)
        await webhooks.finishAttempt({
          attempt: {
            projectId: project.id,
            deliveryId: rows[0]?.id ?? '',
            attempt: 1,
            startedAt: now - 40,
            durationMs: 10,
            responseStatus: 204,
            error: null,
            succeeded: true,
          },
          status: 'succeeded',
          nextAttemptAt: null,
        })
      })
      const prune = (limit: number) =>
        inTx((webhooks) => webhooks.pruneDeliveries({ before: now, limit }))
      expect(await prune(2)).toBe(2)
      expect(await prune(10)).toBe(2)
      expect(await prune(10)).toBe(0)
      const left = await inTx(async (webhooks) => [
        ...(await webhooks.listDeliveries(project.id, target.id, { limit: 10 })),
        ...(await webhooks.listDeliveries(project.id, second.id, { limit: 10 })),
      ])
      expect(left.map((item) => item.delivery.id).sort()).toEqual([rows[3]?.id, rows[4]?.id].sort())
      expect(
        await inTx((webhooks) => webhooks.listAttempts(project.id, [rows[0]?.id ?? ''])),
      ).toEqual([])
      // Events left without a delivery went, but not one with a dedup key (a threshold must
      // not fire twice because its history was pruned): only its key is taken still.
      expect(
        await inTx((webhooks) =>
          webhooks.insertEvent({ ...event(project.id), dedupKey: 'threshold-once' }),
        ),
      ).toBe(false)
      const eventIds = await store.transaction(async (tx) =>
        (await tx.webhooks.listDeliveries(project.id, second.id, { limit: 10 })).map(
          (item) => item.event.id,
        ),
      )
      expect(eventIds).toEqual([events[2]?.id])
    })

    it('hands each due delivery to one of many concurrent claims', async () => {
      const { deliveries } = await seedDeliveries(24)
      const claims = await Promise.all(
        Array.from({ length: 6 }, () =>
          inTx((webhooks) =>
            webhooks.claimDeliveries({ now: now + 100, limit: 5, leaseUntil: now + 60_000 }),
          ),
        ),
      )
      const ids = claims.flat().map((item) => item.delivery.id)
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids.length).toBe(24)
      expect(new Set(ids)).toEqual(new Set(deliveries.map((row) => row.id)))
    })

    it('logs attempts and applies an outcome only for the latest claim', async () => {
      const { project, target, deliveries } = await seedDeliveries(1)
      const id = deliveries[0]?.id ?? ''
      const attempt = (number: number, succeeded: boolean, responseStatus: number | null) => ({
        projectId: project.id,
        deliveryId: id,
        attempt: number,
        startedAt: now + number * 1000,
        durationMs: 12,
        responseStatus,
        error: succeeded ? null : 'HTTP 500',
        succeeded,
      })
      await inTx((webhooks) =>
        webhooks.claimDeliveries({ now, limit: 1, leaseUntil: now + 60_000 }),
      )
      await expect(
        inTx((webhooks) =>
          webhooks.finishAttempt({
            attempt: attempt(1, false, 500),
            status: 'pending',
            nextAttemptAt: now + 5000,
          }),
        ),
      ).resolves.toBe(true)
      expect(
        (await inTx((webhooks) => webhooks.getDelivery(project.id, id)))?.delivery,
      ).toMatchObject({
        status: 'pending',
        attempts: 1,
        nextAttemptAt: now + 5000,
        lastResponseStatus: 500,
        lastError: 'HTTP 500',
        completedAt: null,
      })
      // Claimed as attempt 2 (its lease runs out), then claimed again as attempt 3 elsewhere.
      await inTx((webhooks) =>
        webhooks.claimDeliveries({ now: now + 5000, limit: 1, leaseUntil: now + 6000 }),
      )
      await inTx((webhooks) =>
        webhooks.claimDeliveries({ now: now + 6000, limit: 1, leaseUntil: now + 60_000 }),
      )
      // Attempt 2's answer comes late: logged, but it does not decide the delivery.
      await expect(
        inTx((webhooks) =>
          webhooks.finishAttempt({
            attempt: attempt(2, true, 200),
            status: 'succeeded',
            nextAttemptAt: null,
          }),
        ),
      ).resolves.toBe(false)
      expect(
        (await inTx((webhooks) => webhooks.getDelivery(project.id, id)))?.delivery.status,
      ).toBe('pending')
      await expect(
        inTx((webhooks) =>
          webhooks.finishAttempt({
            attempt: attempt(3, true, 204),
            status: 'succeeded',
            nextAttemptAt: null,
          }),
        ),
      ).resolves.toBe(true)
      expect(
        (await inTx((webhooks) => webhooks.getDelivery(project.id, id)))?.delivery,
      ).toMatchObject({
        status: 'succeeded',
        attempts: 3,
        nextAttemptAt: null,
        lastResponseStatus: 204,
        lastError: null,
        completedAt: now + 3000 + 12,
      })
      expect(
        await inTx((webhooks) => webhooks.listAttempts(project.id, [id, 'whdel_other'])),
      ).toEqual([attempt(1, false, 500), attempt(2, true, 200), attempt(3, true, 204)])
      expect(await inTx((webhooks) => webhooks.listAttempts(project.id, []))).toEqual([])
      // A resend makes a finished delivery pending again, with one more attempt allowed.
      await inTx((webhooks) =>
        webhooks.rescheduleDelivery(project.id, id, {
          status: 'pending',
          nextAttemptAt: now + 9000,
          maxAttempts: 4,
        }),
      )
      expect(
        (await inTx((webhooks) => webhooks.getDelivery(project.id, id)))?.delivery,
      ).toMatchObject({
        status: 'pending',
        nextAttemptAt: now + 9000,
        maxAttempts: 4,
        completedAt: null,
      })
      const resent = await inTx((webhooks) =>
        webhooks.claimDeliveries({ now: now + 9000, limit: 5, leaseUntil: now + 70_000 }),
      )
      expect(resent.map((item) => [item.delivery.id, item.delivery.attempts])).toEqual([[id, 4]])
      expect(target.id).toBe(resent[0]?.delivery.endpointId)
    })
  })
}
