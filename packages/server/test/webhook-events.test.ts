import { AgentBill, register } from 'agentbill'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { startTestServer, type TestServer } from '../src/testing.js'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js'

// Each event fires once, at the moment its change commits: checked against a real receiver on
// 127.0.0.1, with the worker drained before every "nothing more" assertion.
const start = Date.UTC(2026, 2, 10, 12, 0, 0)
let now = start
const quiet = { onError: () => {}, maxRetries: 0 }

let server: TestServer
let receiver: WebhookReceiver
let bill: AgentBill

beforeAll(async () => {
  server = await startTestServer({
    clock: () => now,
    allowPrivateWebhookTargets: true,
    webhooks: { pollIntervalMs: 20 },
    // The sweep is driven by hand (see the expiry test): reads must expire holds on their own.
    sweepIntervalMs: 3_600_000,
  })
})
afterAll(async () => {
  await server.close()
})

beforeEach(async () => {
  now = start
  await receiver?.close()
  receiver = await startWebhookReceiver()
  const { key } = await register({ projectName: 'events', baseUrl: server.url })
  bill = new AgentBill({ apiKey: key, baseUrl: server.url, ...quiet })
  await bill.admin.webhooks.create({ url: receiver.url, events: ['*'] })
})

/** The events received so far, once every due delivery has been attempted. */
async function received(type?: string) {
  await server.server.webhooks?.drain()
  return receiver.events(type)
}

describe('customer.budget.threshold and customer.overage', () => {
  it('fire at 80% and 100% of the grant, once each, then overage once', async () => {
    const record = (units: number, key?: string) =>
      bill.record({
        agentId: 'a',
        customerId: 'acme',
        units,
        ...(key === undefined ? {} : { idempotencyKey: key }),
      })
    await record(790)
    expect(await received()).toEqual([])
    await record(10, 'to-80')
    const [eighty] = await received('customer.budget.threshold')
    expect(eighty?.data).toEqual({
      customer_id: 'acme',
      threshold_percent: 80,
      used_units: 800,
      granted_units: 1000,
      period_start: null,
    })
    // A replay of the same record changes nothing, so fires nothing.
    await record(10, 'to-80')
    await record(150)
    expect(await received()).toHaveLength(1)
    await record(50)
    expect(
      (await received('customer.budget.threshold')).map((event) => event.data.threshold_percent),
    ).toEqual([80, 100])
    expect(await received('customer.overage')).toEqual([])
    await record(1)
    const [overage] = await received('customer.overage')
    expect(overage?.data).toEqual({
      customer_id: 'acme',
      overage_units: 1,
      used_units: 1001,
      granted_units: 1000,
      period_start: null,
    })
    await record(500)
    expect(await received()).toHaveLength(3)
    // A top-up is a new allowance: crossing its thresholds fires again (1,501 of 2,000 used).
    await bill.admin.grants.create('acme', { units: 1000 })
    await record(98)
    expect(await received('customer.budget.threshold')).toHaveLength(2)
    await record(1)
    const thresholds = await received('customer.budget.threshold')
    expect(
      thresholds.map((event) => [event.data.threshold_percent, event.data.granted_units]),
    ).toEqual([
      [80, 1000],
      [100, 1000],
      [80, 2000],
    ])
    expect(new Set(thresholds.map((event) => event.id)).size).toBe(3)
  })

  it('fire once per period, again in the next one, at the thresholds the endpoint chose', async () => {
    const custom = await startWebhookReceiver()
    try {
      await bill.admin.webhooks.create({
        url: custom.url,
        events: ['customer.budget.threshold'],
        thresholds: [25, 50],
      })
      await bill.admin.customers.update('daily', { limitUnits: 100, period: 'day' })
      // One record across both of this endpoint's thresholds and the default 80.
      await bill.record({ agentId: 'a', customerId: 'daily', units: 85 })
      await server.server.webhooks?.drain()
      expect(custom.events().map((event) => event.data.threshold_percent)).toEqual([25, 50])
      expect(
        (await received('customer.budget.threshold')).map((event) => event.data.threshold_percent),
      ).toEqual([80])
      // The next day, the same thresholds fire again for the new period.
      now += 24 * 3_600_000
      await bill.record({ agentId: 'a', customerId: 'daily', units: 30 })
      await server.server.webhooks?.drain()
      const events = custom.events()
      expect(
        events.map((event) => [event.data.threshold_percent, event.data.period_start]),
      ).toEqual([
        [25, '2026-03-10T00:00:00.000Z'],
        [50, '2026-03-10T00:00:00.000Z'],
        [25, '2026-03-11T00:00:00.000Z'],
      ])
    } finally {
      await custom.close()
    }
  })

  it('never come from unlimited customers', async () => {
    await bill.admin.customers.update('whale', { unlimited: true })
    await bill.record({ agentId: 'a', customerId: 'whale', units: 5000 })
    expect(await received()).toEqual([])
  })
})

describe('preflight.blocked', () => {
  it('fires once per blocked decision, with the decision; replays and approvals fire nothing', async () => {
    await bill.preflight({ agentId: 'a', customerId: 'c', estimatedUnits: 5, reserve: true })
    const blocked = await bill.preflight({
      agentId: 'planner',
      customerId: 'c',
      estimatedUnits: 2000,
      idempotencyKey: 'once',
    })
    await bill.preflight({
      agentId: 'planner',
      customerId: 'c',
      estimatedUnits: 2000,
      idempotencyKey: 'once',
    })
    const events = await received()
    expect(events.map((event) => event.type)).toEqual(['preflight.blocked'])
    expect(events[0]?.data).toMatchObject({
      id: blocked.preflightId,
      approved: false,
      reason: 'budget_exhausted',
      customer_id: 'c',
      agent_id: 'planner',
      estimated_units: 2000,
      remaining_units: 995,
    })
  })
})

describe('run.ceiling_reached', () => {
  it('fires once per run: when a record reaches the ceiling, not again when the run is blocked', async () => {
    const held = await bill.preflight({
      agentId: 'a',
      customerId: 'c',
      runId: 'run-1',
      ceiling: 100,
      estimatedUnits: 60,
      reserve: true,
    })
    await bill.record({
      agentId: 'a',
      customerId: 'c',
      runId: 'run-1',
      units: 60,
      ...(held.approved && held.reservationId !== null
        ? { reservationId: held.reservationId }
        : {}),
    })
    expect(await received()).toEqual([])
    await bill.record({ agentId: 'a', customerId: 'c', runId: 'run-1', units: 40 })
    const [reached] = await received('run.ceiling_reached')
    expect(reached?.data).toEqual({
      run_id: 'run-1',
      ceiling: 100,
      customer_id: 'c',
      agent_id: 'a',
      used_units: 100,
      reserved_units: 0,
    })
    const blocked = await bill.preflight({
      agentId: 'a',
      customerId: 'c',
      runId: 'run-1',
      estimatedUnits: 1,
    })
    expect(blocked).toMatchObject({ approved: false, reason: 'ceiling_exceeded' })
    await bill.record({ agentId: 'a', customerId: 'c', runId: 'run-1', units: 5 })
    expect((await received()).map((event) => event.type)).toEqual([
      'run.ceiling_reached',
      'preflight.blocked',
    ])
  })

  it('fires when a preflight of the run is blocked by its ceiling', async () => {
    await bill.preflight({
      agentId: 'a',
      customerId: 'c',
      runId: 'run-2',
      ceiling: 10,
      estimatedUnits: 11,
    })
    const events = await received()
    expect(events.map((event) => event.type).sort()).toEqual([
      'preflight.blocked',
      'run.ceiling_reached',
    ])
    expect(events.find((event) => event.type === 'run.ceiling_reached')?.data).toMatchObject({
      run_id: 'run-2',
      ceiling: 10,
      used_units: 0,
    })
    await bill.preflight({ agentId: 'a', customerId: 'c', runId: 'run-2', estimatedUnits: 11 })
    expect((await received('run.ceiling_reached')).length).toBe(1)
  })
})

describe('reservation.expired', () => {
  it('fires when a read finds a hold past its time, and when the background sweep expires one', async () => {
    const held = await bill.preflight({
      agentId: 'a',
      customerId: 'c',
      estimatedUnits: 7,
      reserve: true,
      ttlSeconds: 60,
    })
    expect(await received()).toEqual([])
    now += 61_000
    expect((await bill.balance('c')).reservedUnits).toBe(0)
    const [expired] = await received('reservation.expired')
    expect(expired?.data).toMatchObject({
      id: held.approved ? held.reservationId : '',
      status: 'expired',
      units: 7,
      customer_id: 'c',
      closed_at: new Date(now).toISOString(),
    })
    // Nobody reads this one: the sweep expires it.
    const swept = await bill.preflight({
      agentId: 'a',
      customerId: 'quiet',
      estimatedUnits: 3,
      reserve: true,
      ttlSeconds: 60,
    })
    now += 61_000
    const { sweepExpiredReservations } = await import('../src/ledger/ledger.js')
    let signalled = false
    await server.server.store.transaction((tx) =>
      sweepExpiredReservations(tx, now, 500, { deliveriesCreated: () => (signalled = true) }),
    )
    expect(signalled).toBe(true)
    const events = await received('reservation.expired')
    expect(events.map((event) => event.data.id)).toEqual([
      held.approved ? held.reservationId : '',
      swept.approved ? swept.reservationId : '',
    ])
    // Expired once: reading them again fires nothing.
    await bill.balance('quiet')
    expect(await received('reservation.expired')).toHaveLength(2)
  })
})

describe('reservation.expired, found by the record that came too late to settle it', () => {
  it('fires once, and the record is charged all the same', async () => {
    const held = await bill.preflight({
      agentId: 'a',
      customerId: 'late',
      estimatedUnits: 4,
      reserve: true,
      ttlSeconds: 30,
    })
    now += 31_000
    const recorded = await bill.record({
      agentId: 'a',
      customerId: 'late',
      units: 4,
      ...(held.approved && held.reservationId !== null
        ? { reservationId: held.reservationId }
        : {}),
    })
    expect(recorded).toMatchObject({ recorded: true, reservationStatus: 'already_closed' })
    const events = await received('reservation.expired')
    expect(events.map((event) => event.data.id)).toEqual([held.approved ? held.reservationId : ''])
  })
})

describe('grant.created', () => {
  it('fires with the grant, once per idempotency key', async () => {
    const grant = await bill.admin.grants.create('c', {
      units: 250,
      reason: 'purchase',
      idempotencyKey: 'order-1',
    })
    await bill.admin.grants.create('c', {
      units: 250,
      reason: 'purchase',
      idempotencyKey: 'order-1',
    })
    const events = await received()
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      type: 'grant.created',
      data: { id: grant.id, customer_id: 'c', units: 250, reason: 'purchase' },
    })
  })
})

describe('a request that fails', () => {
  it('leaves no event, though its change would have crossed thresholds', async () => {
    // Nine customers each fill the shared run to just under 2^53 − 1 units in all…
    for (let index = 0; index < 9; index++) {
      await bill.record({
        agentId: 'a',
        customerId: `filler-${index}`,
        runId: 'huge',
        units: 1_000_000_000_000_000,
      })
    }
    await received()
    const before = receiver.received.length
    // …so this record crosses 80%, 100% and the grant for its customer, then fails on the
    // run's total: the whole request is rolled back, its events with it.
    await expect(
      bill.record({
        agentId: 'a',
        customerId: 'fresh',
        runId: 'huge',
        units: 1_000_000_000_000_000,
      }),
    ).rejects.toMatchObject({ status: 400, param: 'units' })
    expect(receiver.received.length).toBe(before)
    expect((await received()).filter((event) => event.data.customer_id === 'fresh')).toEqual([])
    expect((await bill.balance('fresh')).usedUnits).toBe(0)
    // The same usage, recorded for real, fires them.
    await bill.record({ agentId: 'a', customerId: 'fresh', units: 1000 })
    expect(
      (await received())
        .filter((event) => event.data.customer_id === 'fresh')
        .map((event) => event.type),
    ).toEqual(['customer.budget.threshold', 'customer.budget.threshold'])
  })
})

describe('the worker', () => {
  it('is woken by the request that queued a delivery, not only by its timer', async () => {
    const slow = await startTestServer({
      clock: () => now,
      allowPrivateWebhookTargets: true,
      // A timer that would not fire during this test.
      webhooks: { pollIntervalMs: 3_600_000 },
    })
    const hooks = await startWebhookReceiver()
    try {
      const admin = new AgentBill({ apiKey: slow.adminKey, baseUrl: slow.url, ...quiet })
      await admin.admin.webhooks.create({ url: hooks.url, events: ['grant.created'] })
      await admin.admin.grants.create('c', { units: 1 })
      await vi.waitFor(() => expect(hooks.received).toHaveLength(1), {
        timeout: 10_000,
        interval: 10,
      })
    } finally {
      await hooks.close()
      await slow.close()
    }
  })
})
