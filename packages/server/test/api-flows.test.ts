import { AgentBill, AgentBillAPIError, register } from 'agentbill'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../src/testing.js'

// Every endpoint through the real client over real HTTP, on a server whose clock the test
// moves (reservation expiry and budget periods follow the server's clock, never the client's).
const start = Date.UTC(2026, 2, 10, 12, 0, 0)
let now = start
let server: TestServer
let bill: AgentBill

const quiet = { onError: () => {}, maxRetries: 0 }

beforeAll(async () => {
  server = await startTestServer({ clock: () => now })
  bill = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url, ...quiet })
})
afterAll(() => server.close())

async function apiError(promise: Promise<unknown>): Promise<AgentBillAPIError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AgentBillAPIError) return error
    throw error
  }
  throw new Error('expected the call to fail')
}

describe('preflight', () => {
  it('approves within budget and counts a reservation in the balance', async () => {
    const answer = await bill.preflight({
      agentId: 'writer',
      customerId: 'pf-1',
      estimatedUnits: 10,
      reserve: true,
    })
    expect(answer).toMatchObject({
      approved: true,
      remainingUnits: 990,
      estimatedUnits: 10,
      estimateSource: 'request',
      reservationId: expect.stringMatching(/^rsv_/),
      preflightId: expect.stringMatching(/^dec_/),
      expiresAt: new Date(start + 900_000).toISOString(),
    })
    expect(await bill.balance('pf-1')).toMatchObject({
      grantedUnits: 1000,
      usedUnits: 0,
      reservedUnits: 10,
      remainingUnits: 990,
      overageUnits: 0,
    })
  })

  it('blocks past a ceiling, then past the budget, with the upgrade URL', async () => {
    await bill.admin.project.update({
      upgradeUrl: 'https://billing.example/upgrade?c={customer_id}',
    })
    const ceiling = await bill.preflight({
      agentId: 'writer',
      customerId: 'pf 2/x',
      estimatedUnits: 30,
      ceiling: 20,
    })
    expect(ceiling).toMatchObject({
      approved: false,
      reason: 'ceiling_exceeded',
      remainingUnits: 1000,
      upgradeUrl: 'https://billing.example/upgrade?c=pf%202%2Fx',
    })
    const budget = await bill.preflight({
      agentId: 'writer',
      customerId: 'pf 2/x',
      estimatedUnits: 1001,
    })
    expect(budget).toMatchObject({
      approved: false,
      reason: 'budget_exhausted',
      remainingUnits: 1000,
    })
    const decisions = await bill.admin.decisions.list({ customerId: 'pf 2/x', approved: false })
    expect(decisions.data.map((decision) => decision.reason)).toEqual([
      'budget_exhausted',
      'ceiling_exceeded',
    ])
    await bill.admin.project.update({ upgradeUrl: null })
  })

  it('holds a run to its ceiling across preflights and records', async () => {
    const run = { agentId: 'loop', customerId: 'pf-run', runId: 'run-1' }
    const first = await bill.preflight({ ...run, estimatedUnits: 20, ceiling: 50, reserve: true })
    expect(first).toMatchObject({ approved: true, ceiling: 50, runRemainingUnits: 30 })
    await bill.record({ ...run, units: 25, reservationId: first.reservationId ?? undefined })
    // A later preflight naming another ceiling does not move the run's.
    const second = await bill.preflight({ ...run, estimatedUnits: 20, ceiling: 500 })
    expect(second).toMatchObject({ approved: true, ceiling: 50, runRemainingUnits: 5 })
    const third = await bill.preflight({ ...run, estimatedUnits: 26 })
    expect(third).toMatchObject({ approved: false, reason: 'ceiling_exceeded', ceiling: 50 })
    const otherRun = await bill.preflight({ ...run, runId: 'run-2', estimatedUnits: 26 })
    expect(otherRun.approved).toBe(true)
  })

  it('answers a repeated idempotency key with the first decision and holds once', async () => {
    const request = {
      agentId: 'writer',
      customerId: 'pf-idem',
      estimatedUnits: 100,
      reserve: true,
      idempotencyKey: 'pf-idem-1',
    }
    const first = await bill.preflight(request)
    const again = await bill.preflight(request)
    expect(again.preflightId).toBe(first.preflightId)
    expect(again.reservationId).toBe(first.reservationId)
    expect((await bill.balance('pf-idem')).reservedUnits).toBe(100)
    const conflict = await apiError(bill.preflight({ ...request, estimatedUnits: 5 }))
    expect(conflict).toMatchObject({ status: 422, type: 'idempotency_conflict' })
  })

  it('estimates "auto" from the agent\'s history (p90 of the last 50), else 1', async () => {
    const none = await bill.preflight({
      agentId: 'fresh-agent',
      customerId: 'pf-auto',
      estimatedUnits: 'auto',
    })
    expect(none).toMatchObject({ estimatedUnits: 1, estimateSource: 'default' })
    for (let units = 1; units <= 60; units++) {
      await bill.record({ agentId: 'historian', customerId: 'pf-auto', units })
    }
    // The last 50 are 11..60; the 90th percentile (nearest rank, 45th of 50) is 55.
    const auto = await bill.preflight({
      agentId: 'historian',
      customerId: 'pf-auto-2',
      estimatedUnits: 'auto',
    })
    expect(auto).toMatchObject({ estimatedUnits: 55, estimateSource: 'history', approved: true })
  })

  it('treats an unlimited customer as never out of budget', async () => {
    await bill.admin.customers.update('pf-unlimited', { unlimited: true })
    const answer = await bill.preflight({
      agentId: 'writer',
      customerId: 'pf-unlimited',
      estimatedUnits: 1_000_000,
    })
    expect(answer).toMatchObject({ approved: true, remainingUnits: null })
    expect(await bill.balance('pf-unlimited')).toMatchObject({
      remainingUnits: null,
      unlimited: true,
    })
  })
})

describe('record', () => {
  it('records once per idempotency key and replays the first result', async () => {
    const request = { agentId: 'writer', customerId: 'rec-1', units: 12, idempotencyKey: 'rec-1-a' }
    const first = await bill.record(request)
    expect(first).toMatchObject({
      recorded: true,
      duplicate: false,
      units: 12,
      remainingUnits: 988,
    })
    const again = await bill.record(request)
    expect(again).toMatchObject({ duplicate: true, remainingUnits: 988 })
    if (first.queued || again.queued) throw new Error('not queued: the server is up')
    expect(again.eventId).toBe(first.eventId)
    expect((await bill.balance('rec-1')).usedUnits).toBe(12)
  })

  it('refuses a reused key with other units (422) and changes nothing', async () => {
    await bill.record({
      agentId: 'writer',
      customerId: 'rec-2',
      units: 5,
      idempotencyKey: 'rec-2-a',
    })
    const error = await apiError(
      bill.record({ agentId: 'writer', customerId: 'rec-2', units: 6, idempotencyKey: 'rec-2-a' }),
    )
    expect(error).toMatchObject({
      status: 422,
      type: 'idempotency_conflict',
      param: 'idempotency_key',
    })
    expect((await bill.balance('rec-2')).usedUnits).toBe(5)
    const events = await bill.admin.events.list({ customerId: 'rec-2' })
    expect(events.data).toHaveLength(1)
  })

  it('settles a reservation: the hold goes, the actual units are charged', async () => {
    const held = await bill.preflight({
      agentId: 'w',
      customerId: 'rec-3',
      estimatedUnits: 40,
      reserve: true,
    })
    const recorded = await bill.record({
      agentId: 'w',
      customerId: 'rec-3',
      units: 55,
      reservationId: held.reservationId ?? undefined,
    })
    expect(recorded).toMatchObject({ reservationStatus: 'settled', remainingUnits: 945 })
    expect(await bill.balance('rec-3')).toMatchObject({ reservedUnits: 0, usedUnits: 55 })
    const reservation = await bill.getReservation(held.reservationId as string)
    expect(reservation.status).toBe('settled')
    const late = await bill.record({
      agentId: 'w',
      customerId: 'rec-3',
      units: 1,
      reservationId: held.reservationId ?? undefined,
    })
    expect(late).toMatchObject({ reservationStatus: 'already_closed' })
    const unknown = await bill.record({
      agentId: 'w',
      customerId: 'rec-3',
      units: 1,
      reservationId: 'rsv_nope',
    })
    expect(unknown).toMatchObject({ reservationStatus: 'not_found' })
    expect((await bill.balance('rec-3')).usedUnits).toBe(57)
  })

  it('refuses a record that would take a running total past 2^53 − 1, changing nothing', async () => {
    const huge = 10 ** 15
    for (let index = 0; index < 9; index++) {
      await bill.record({ agentId: 'w', customerId: 'rec-huge', units: huge })
    }
    const error = await apiError(bill.record({ agentId: 'w', customerId: 'rec-huge', units: huge }))
    expect(error).toMatchObject({ status: 400, param: 'units' })
    expect((await bill.balance('rec-huge')).usedUnits).toBe(9 * huge)
  })

  it('always records usage, showing overage past the grant', async () => {
    const recorded = await bill.record({ agentId: 'w', customerId: 'rec-4', units: 1500 })
    expect(recorded).toMatchObject({ remainingUnits: 0, overageUnits: 500 })
    expect(await bill.balance('rec-4')).toMatchObject({ usedUnits: 1500, overageUnits: 500 })
  })
})

describe('reservations', () => {
  it('releases an open hold once; releasing again changes nothing', async () => {
    const held = await bill.preflight({
      agentId: 'w',
      customerId: 'rsv-1',
      estimatedUnits: 70,
      reserve: true,
    })
    const id = held.reservationId as string
    expect((await bill.release(id)).status).toBe('released')
    expect((await bill.release(id)).status).toBe('released')
    expect((await bill.balance('rsv-1')).reservedUnits).toBe(0)
    const missing = await apiError(bill.release('rsv_missing'))
    expect(missing).toMatchObject({ status: 404, type: 'not_found' })
  })

  it('frees the units of an expired reservation, by the server clock', async () => {
    const held = await bill.preflight({
      agentId: 'w',
      customerId: 'rsv-2',
      estimatedUnits: 600,
      reserve: true,
      ttlSeconds: 60,
    })
    expect((await bill.balance('rsv-2')).remainingUnits).toBe(400)
    const blocked = await bill.preflight({ agentId: 'w', customerId: 'rsv-2', estimatedUnits: 500 })
    expect(blocked.approved).toBe(false)
    now += 60_000
    expect(await bill.balance('rsv-2')).toMatchObject({ reservedUnits: 0, remainingUnits: 1000 })
    expect((await bill.getReservation(held.reservationId as string)).status).toBe('expired')
    const approved = await bill.preflight({
      agentId: 'w',
      customerId: 'rsv-2',
      estimatedUnits: 500,
    })
    expect(approved.approved).toBe(true)
  })

  it('sweeps expired reservations in the background', async () => {
    let clock = start
    const swept = await startTestServer({ clock: () => clock, sweepIntervalMs: 20 })
    try {
      const client = new AgentBill({ apiKey: swept.adminKey, baseUrl: swept.url, ...quiet })
      const held = await client.preflight({
        agentId: 'w',
        customerId: 'rsv-3',
        estimatedUnits: 5,
        reserve: true,
        ttlSeconds: 1,
      })
      clock += 1000
      // Read the rows straight from the store: API reads would expire the hold themselves.
      const rows = () =>
        swept.server.store.transaction(async (tx) => ({
          reservation: await tx.getReservation(swept.projectId, held.reservationId as string),
          customer: await tx.getCustomer(swept.projectId, 'rsv-3'),
        }))
      let state = await rows()
      for (let attempt = 0; attempt < 250 && state.reservation?.status === 'open'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        state = await rows()
      }
      expect(state.reservation?.status).toBe('expired')
      expect(state.customer?.reservedUnits).toBe(0)
    } finally {
      await swept.close()
    }
  })
})

describe('customers, grants and periods', () => {
  it('sets limits before first use, lists by id with a cursor', async () => {
    const updated = await bill.admin.customers.update('cus-a', {
      limitUnits: 50,
      metadata: { plan: 'free' },
    })
    expect(updated).toMatchObject({ limitUnits: 50, metadata: { plan: 'free' } })
    expect(updated.balance).toMatchObject({ grantedUnits: 50, remainingUnits: 50 })
    await bill.admin.customers.update('cus-b', { period: 'day' })
    await bill.balance('cus-c')
    const page = await bill.admin.customers.list({ limit: 2, startingAfter: 'cus-' })
    expect(page.data.map((customer) => customer.customerId)).toEqual(['cus-a', 'cus-b'])
    expect(page.hasMore).toBe(true)
    const next = await bill.admin.customers.list({ limit: 2, startingAfter: 'cus-b' })
    expect(next.data[0]?.customerId).toBe('cus-c')
    const back = await bill.admin.customers.update('cus-a', { limitUnits: null })
    expect(back.balance.grantedUnits).toBe(1000)
  })

  it('grants once per key (201, then 200 with the first), 422 on other values', async () => {
    const first = await bill.admin.grants.create('cus-g', {
      units: 500,
      reason: 'paid',
      idempotencyKey: 'g-1',
    })
    expect(first).toMatchObject({ units: 500, reason: 'paid', id: expect.stringMatching(/^gnt_/) })
    const again = await bill.admin.grants.create('cus-g', {
      units: 500,
      reason: 'paid',
      idempotencyKey: 'g-1',
    })
    expect(again.id).toBe(first.id)
    const error = await apiError(
      bill.admin.grants.create('cus-g', { units: 501, reason: 'paid', idempotencyKey: 'g-1' }),
    )
    expect(error.status).toBe(422)
    expect((await bill.balance('cus-g')).grantedUnits).toBe(1500)
  })

  it('resets used at each UTC period boundary without a cron job; grants last one period', async () => {
    await bill.admin.customers.update('cus-day', { period: 'day', limitUnits: 100 })
    await bill.record({ agentId: 'w', customerId: 'cus-day', units: 80 })
    await bill.admin.grants.create('cus-day', { units: 30 })
    const today = await bill.balance('cus-day')
    expect(today).toMatchObject({
      period: 'day',
      usedUnits: 80,
      grantedUnits: 130,
      remainingUnits: 50,
      periodStart: '2026-03-10T00:00:00.000Z',
      periodEnd: '2026-03-11T00:00:00.000Z',
    })
    const saved = now
    now = Date.UTC(2026, 2, 11, 0, 0, 1)
    const tomorrow = await bill.balance('cus-day')
    expect(tomorrow).toMatchObject({
      usedUnits: 0,
      grantedUnits: 100,
      remainingUnits: 100,
      periodStart: '2026-03-11T00:00:00.000Z',
    })
    await bill.admin.customers.update('cus-day', { period: 'month' })
    // Switching to a month counts the month's events again.
    expect((await bill.balance('cus-day')).usedUnits).toBe(80)
    now = saved
  })
})

describe('activity', () => {
  it('lists events newest first with filters and a cursor; sums usage', async () => {
    for (const [agentId, units] of [
      ['act-a', 1],
      ['act-b', 2],
      ['act-a', 3],
    ] as const) {
      await bill.record({ agentId, customerId: 'act', units, metadata: { model: 'm' } })
    }
    const page = await bill.admin.events.list({ customerId: 'act', limit: 2 })
    expect(page.data.map((event) => event.units)).toEqual([3, 2])
    expect(page.hasMore).toBe(true)
    const rest = await bill.admin.events.list({
      customerId: 'act',
      limit: 2,
      startingAfter: page.data[1]?.id,
    })
    expect(rest.data.map((event) => event.units)).toEqual([1])
    const onlyA = await bill.admin.events.list({ customerId: 'act', agentId: 'act-a' })
    expect(onlyA.data).toHaveLength(2)
    const usage = await bill.admin.usage({
      groupBy: ['day', 'agent'],
      since: new Date(start - 1000),
    })
    const rows = usage.data.filter((row) => row.agentId?.startsWith('act-'))
    expect(rows).toEqual([
      expect.objectContaining({ day: '2026-03-10', agentId: 'act-a', units: 4, events: 2 }),
      expect.objectContaining({ day: '2026-03-10', agentId: 'act-b', units: 2, events: 1 }),
    ])
  })
})

describe('keys and projects', () => {
  it('shows a key once, lists prefix and last four, and revokes it at once', async () => {
    const created = await bill.admin.keys.create({ name: 'agent box', scope: 'runtime' })
    expect(created.key).toMatch(/^agb_[0-9A-Za-z]{32}$/)
    expect(created.prefix).toBe(created.key.slice(0, 8))
    expect(created.last4).toBe(created.key.slice(-4))
    const runtime = new AgentBill({ apiKey: created.key, baseUrl: server.url, ...quiet })
    expect((await runtime.preflight({ agentId: 'w', customerId: 'k-1' })).approved).toBe(true)
    const denied = await apiError(runtime.admin.customers.list())
    expect(denied).toMatchObject({ status: 403, type: 'permission_denied' })
    const listed = await bill.admin.keys.list()
    const entry = listed.data.find((key) => key.id === created.id)
    expect(entry).toMatchObject({ prefix: created.prefix, last4: created.last4, revokedAt: null })
    expect(JSON.stringify(listed)).not.toContain(created.key)
    const revoked = await bill.admin.keys.revoke(created.id)
    expect(revoked.revokedAt).not.toBeNull()
    const refused = await apiError(runtime.preflight({ agentId: 'w', customerId: 'k-1' }))
    expect(refused).toMatchObject({ status: 401, type: 'authentication_failed' })
  })

  it('changes project settings; new customers get the new free units', async () => {
    const project = await bill.admin.project.get()
    expect(project).toMatchObject({ freeUnits: 1000, defaultTtlSeconds: 900 })
    await bill.admin.project.update({ freeUnits: 250, defaultTtlSeconds: 120 })
    expect((await bill.balance('prj-new-customer')).grantedUnits).toBe(250)
    expect((await bill.balance('pf-1')).grantedUnits).toBe(1000)
    const held = await bill.preflight({
      agentId: 'w',
      customerId: 'prj-new-customer',
      reserve: true,
    })
    expect(held.expiresAt).toBe(new Date(now + 120_000).toISOString())
    await bill.admin.project.update({ freeUnits: 1000, defaultTtlSeconds: 900 })
  })

  it('registers a new project whose key sees nothing of this one', async () => {
    const registration = await register({
      baseUrl: server.url,
      projectName: 'Other',
      email: 'a@b.example',
    })
    expect(registration.key).toMatch(/^agb_/)
    const other = new AgentBill({ apiKey: registration.key, baseUrl: server.url, ...quiet })
    expect((await other.admin.project.get()).name).toBe('Other')
    expect((await other.admin.events.list()).data).toEqual([])
    expect((await other.admin.customers.list()).data).toEqual([])
  })
})

describe('public endpoints and headers', () => {
  it('rate-limits registration per address with Retry-After', async () => {
    const limited = await startTestServer({ registerRateLimit: { max: 2, windowSeconds: 60 } })
    try {
      const attempt = () =>
        fetch(`${limited.url}/v1/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ project_name: 'p' }),
        })
      expect((await attempt()).status).toBe(201)
      expect((await attempt()).status).toBe(201)
      const refused = await attempt()
      expect(refused.status).toBe(429)
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(((await refused.json()) as { error: { type: string } }).error.type).toBe(
        'rate_limited',
      )
    } finally {
      await limited.close()
    }
  })

  it('answers readiness 503 while draining', async () => {
    const { createServer } = await import('../src/server.js')
    const inProcess = createServer({ database: ':memory:', logger: false })
    try {
      const ready = await inProcess.fetch(new Request('http://local/readyz'))
      expect(ready.status).toBe(200)
      inProcess.app.setDraining(true)
      const draining = await inProcess.fetch(new Request('http://local/readyz'))
      expect(draining.status).toBe(503)
      expect(await draining.json()).toEqual({ status: 'unavailable' })
    } finally {
      await inProcess.close()
    }
  })

  it('takes the idempotency key from the Idempotency-Key header', async () => {
    const send = () =>
      fetch(`${server.url}/v1/record`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.adminKey}`,
          'content-type': 'application/json',
          'idempotency-key': 'from-header-1',
        },
        body: JSON.stringify({ agent_id: 'h', customer_id: 'hdr', units: 4 }),
      })
    const first = await send()
    const again = await send()
    expect([first.status, again.status]).toEqual([201, 200])
    const body = (await again.json()) as { duplicate: boolean }
    expect(body.duplicate).toBe(true)
    const events = await bill.admin.events.list({ customerId: 'hdr' })
    expect(events.data.map((event) => event.idempotencyKey)).toEqual(['from-header-1'])
  })
})

describe('operational endpoints', () => {
  it('answers health, readiness, metrics, the OpenAPI document and its page', async () => {
    const health = await fetch(`${server.url}/healthz`)
    expect(await health.json()).toEqual({ status: 'ok' })
    expect(health.headers.get('x-request-id')).toMatch(/^req_/)
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ready' })
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).toMatch(
      /agentbill_http_requests_total\{method="POST",route="\/v1\/preflight",status="200"\} \d+/,
    )
    const document = await (await fetch(`${server.url}/openapi.json`)).json()
    expect(document.openapi).toBe('3.1.0')
    expect(Object.keys(document.paths)).toContain('/v1/preflight')
    const docs = await fetch(`${server.url}/docs`)
    expect(docs.headers.get('content-type')).toContain('text/html')
    const html = await docs.text()
    expect(html).toContain('/v1/record')
    expect(html).not.toMatch(/<script|https?:\/\/cdn/i)
  })
})
