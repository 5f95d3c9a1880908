import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentBill, AgentBillAPIError, BudgetExceededError, register } from '../src/index'
import { type ServerProcess, startServerProcess } from './server-process'

let server: ServerProcess
let bill: AgentBill
beforeAll(async () => {
  server = await startServerProcess()
  bill = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url, onError: () => {} })
}, 30_000)
afterAll(() => server?.stop())

describe('the README example, against the real server', () => {
  it('preflights, records, and the balance shows it', async () => {
    const check = await bill.preflight({
      agentId: 'researcher',
      customerId: 'user_123',
      estimatedUnits: 10,
      ceiling: 20,
    })
    if (!check.approved) throw new Error(`Blocked: ${check.reason}`)
    expect(check).toMatchObject({
      approved: true,
      remainingUnits: 990,
      degraded: false,
      preflightId: expect.stringMatching(/^dec_/),
    })
    const recorded = await bill.record({
      agentId: 'researcher',
      customerId: 'user_123',
      units: 10,
      metadata: { model: 'gpt-4o' },
    })
    expect(recorded).toMatchObject({
      recorded: true,
      duplicate: false,
      units: 10,
      remainingUnits: 990,
      eventId: expect.stringMatching(/^evt_/),
    })
    await expect(bill.balance('user_123')).resolves.toMatchObject({
      grantedUnits: 1000,
      usedUnits: 10,
      reservedUnits: 0,
      remainingUnits: 990,
    })
  })

  it('blocks past the ceiling and past the budget, with the reason', async () => {
    await expect(
      bill.preflight({
        agentId: 'researcher',
        customerId: 'user_ceiling',
        estimatedUnits: 30,
        ceiling: 20,
      }),
    ).resolves.toMatchObject({
      approved: false,
      reason: 'ceiling_exceeded',
    })
    await expect(
      bill.preflight({ agentId: 'researcher', customerId: 'user_budget', estimatedUnits: 1001 }),
    ).resolves.toMatchObject({
      approved: false,
      reason: 'budget_exhausted',
      remainingUnits: 1000,
    })
  })
})

describe('records survive an outage of the real server', () => {
  it('queues while it is down and delivers each record exactly once when it is back', async () => {
    const customerId = 'outage-customer'
    const client = new AgentBill({
      apiKey: server.adminKey,
      baseUrl: server.url,
      maxRetries: 0,
      onError: () => {},
    })
    await client.record({ agentId: 'a', customerId, units: 1 })
    await server.stop()
    const queued = await Promise.all(
      [2, 3, 4].map((units) => client.record({ agentId: 'a', customerId, units })),
    )
    expect(queued.every((result) => result.queued)).toBe(true)
    expect(client.pendingRecords).toBe(3)
    await server.start()
    await expect(client.flush({ timeoutMs: 10_000 })).resolves.toEqual({ delivered: 3, pending: 0 })
    // A second flush has nothing left to send, and nothing was counted twice.
    await expect(client.flush({ timeoutMs: 1000 })).resolves.toEqual({ delivered: 0, pending: 0 })
    const events = await bill.admin.events.list({ customerId })
    expect(events.data.map((event) => event.units).sort()).toEqual([1, 2, 3, 4])
    await expect(bill.balance(customerId)).resolves.toMatchObject({ usedUnits: 10 })
  }, 30_000)

  it('re-sending a record the server already stored counts it once', async () => {
    const customerId = 'resend-customer'
    const first = await bill.record({
      agentId: 'a',
      customerId,
      units: 5,
      idempotencyKey: 'step-1',
    })
    const again = await bill.record({
      agentId: 'a',
      customerId,
      units: 5,
      idempotencyKey: 'step-1',
    })
    expect(again).toMatchObject({ duplicate: true, eventId: first.eventId })
    await expect(
      bill.record({ agentId: 'a', customerId, units: 6, idempotencyKey: 'step-1' }),
    ).rejects.toMatchObject({ status: 422, type: 'idempotency_conflict' })
    await expect(bill.balance(customerId)).resolves.toMatchObject({ usedUnits: 5 })
  })
})

describe('runs against the real server', () => {
  it('releases the hold when the function throws', async () => {
    let reservationId: string | null = null
    await expect(
      bill.run({ agentId: 'a', customerId: 'run-customer', estimatedUnits: 40 }, (run) => {
        reservationId = run.preflight.reservationId
        throw new Error('crashed')
      }),
    ).rejects.toThrow('crashed')
    await expect(bill.getReservation(reservationId as unknown as string)).resolves.toMatchObject({
      status: 'released',
      units: 40,
    })
    await expect(bill.balance('run-customer')).resolves.toMatchObject({
      reservedUnits: 0,
      usedUnits: 0,
    })
  })

  it('settles the hold with what the run reported, under one run id and ceiling', async () => {
    const result = await bill.run(
      { agentId: 'a', customerId: 'run-customer-2', estimatedUnits: 10, ceiling: 25 },
      async (run) => {
        const inner = await bill.beginCall({ estimatedUnits: 10 })
        expect(inner).toMatchObject({ runId: run.runId, ceiling: 25, customerId: 'run-customer-2' })
        await inner.record(7)
        // The run now holds 10 and used 7: a call of 10 more would pass 25.
        await expect(bill.beginCall({ estimatedUnits: 10 })).rejects.toSatisfy(
          BudgetExceededError.isInstance,
        )
        run.report(4)
        return run.runId
      },
    )
    const events = await bill.admin.events.list({ runId: result })
    expect(events.data.map((event) => event.units).sort()).toEqual([4, 7])
    await expect(bill.balance('run-customer-2')).resolves.toMatchObject({
      usedUnits: 11,
      reservedUnits: 0,
    })
  })

  it('a repeated beginCall with the same key holds once', async () => {
    const first = await bill.beginCall({
      defaults: { agentId: 'a', customerId: 'idem-customer' },
      estimatedUnits: 30,
      idempotencyKey: 'llm-call-1',
    })
    const second = await bill.beginCall({
      defaults: { agentId: 'a', customerId: 'idem-customer' },
      estimatedUnits: 30,
      idempotencyKey: 'llm-call-1',
    })
    expect(second.preflight.reservationId).toBe(first.preflight.reservationId)
    await expect(bill.balance('idem-customer')).resolves.toMatchObject({ reservedUnits: 30 })
    await first.record(12)
    await second.record(12)
    await expect(bill.balance('idem-customer')).resolves.toMatchObject({
      reservedUnits: 0,
      usedUnits: 12,
    })
  })
})

describe('the admin namespace maps every answer', () => {
  it('customers, grants, events, decisions, usage', async () => {
    const customer = await bill.admin.customers.update('acme', {
      limitUnits: 50,
      period: 'month',
      metadata: { plan: 'team' },
    })
    expect(customer).toMatchObject({
      customerId: 'acme',
      limitUnits: 50,
      period: 'month',
      metadata: { plan: 'team' },
      balance: { grantedUnits: 50 },
    })
    expect(customer.balance.periodStart).toMatch(/^\d{4}-\d{2}-01T00:00:00/)
    const grant = await bill.admin.grants.create('acme', {
      units: 25,
      reason: 'purchase pi_1',
      idempotencyKey: 'pi_1',
    })
    const replay = await bill.admin.grants.create('acme', {
      units: 25,
      reason: 'purchase pi_1',
      idempotencyKey: 'pi_1',
    })
    expect(replay.id).toBe(grant.id)
    await expect(bill.admin.customers.get('acme')).resolves.toMatchObject({
      balance: { grantedUnits: 75 },
    })
    await bill.record({ agentId: 'writer', customerId: 'acme', units: 3 })
    await bill.preflight({ agentId: 'writer', customerId: 'acme', estimatedUnits: 500 })
    const decisions = await bill.admin.decisions.list({ customerId: 'acme', approved: false })
    expect(decisions.data).toHaveLength(1)
    expect(decisions.data[0]).toMatchObject({
      approved: false,
      reason: 'budget_exhausted',
      estimatedUnits: 500,
      agentId: 'writer',
    })
    const usage = await bill.admin.usage({ groupBy: ['day', 'agent'] })
    expect(usage.groupBy).toEqual(['day', 'agent'])
    expect(usage.data.find((row) => row.agentId === 'writer')).toMatchObject({
      units: 3,
      events: 1,
      day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    })
    const page = await bill.admin.customers.list({ limit: 1 })
    expect(page.data).toHaveLength(1)
    expect(page.hasMore).toBe(true)
    const next = await bill.admin.customers.list({
      limit: 1,
      startingAfter: page.data[0]?.customerId,
    })
    expect(next.data[0]?.customerId).not.toBe(page.data[0]?.customerId)
  })

  it('runs, decision summaries, customer search and usage filters', async () => {
    const runId = await bill.run(
      { agentId: 'summariser', customerId: 'globex-east', ceiling: 30 },
      async (run) => {
        const call = await bill.beginCall({ estimatedUnits: 10 })
        await call.record(6)
        return run.runId
      },
    )
    await expect(bill.admin.runs.get(runId)).resolves.toMatchObject({
      runId,
      ceiling: 30,
      usedUnits: 6,
      reservedUnits: 0,
      remainingUnits: 24,
    })
    await expect(bill.admin.runs.get('run_never_seen')).rejects.toMatchObject({ status: 404 })

    await bill.admin.customers.update('globex-west', { limitUnits: 0 })
    await bill.preflight({ agentId: 'summariser', customerId: 'globex-west', estimatedUnits: 5 })
    const blocked = await bill.admin.decisions.summary({
      groupBy: ['day', 'reason'],
      approved: false,
      customerId: 'globex-west',
    })
    expect(blocked.groupBy).toEqual(['day', 'reason'])
    expect(blocked.data).toEqual([
      {
        day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        reason: 'budget_exhausted',
        decisions: 1,
        estimatedUnits: 5,
      },
    ])

    const found = await bill.admin.customers.list({ search: 'GLOBEX' })
    expect(found.data.map((customer) => customer.customerId).sort()).toEqual([
      'globex-east',
      'globex-west',
    ])
    const usage = await bill.admin.usage({ groupBy: 'agent', customerId: 'globex-east' })
    expect(usage.data).toEqual([{ agentId: 'summariser', units: 6, events: 1 }])
  })

  it('keys: created once, listed by prefix and last four, revoked at once', async () => {
    const created = await bill.admin.keys.create({ name: 'worker', scope: 'runtime' })
    expect(created.key).toMatch(/^agb_/)
    expect(created.key.endsWith(created.last4)).toBe(true)
    const worker = new AgentBill({ apiKey: created.key, baseUrl: server.url })
    await expect(worker.preflight({ agentId: 'a' })).resolves.toMatchObject({ approved: true })
    await expect(worker.admin.customers.list()).rejects.toMatchObject({ status: 403 })
    const listed = await bill.admin.keys.list()
    expect(listed.data.find((key) => key.id === created.id)).toMatchObject({
      prefix: created.prefix,
      last4: created.last4,
      revokedAt: null,
    })
    expect(JSON.stringify(listed)).not.toContain(created.key)
    await expect(bill.admin.keys.revoke(created.id)).resolves.toMatchObject({
      revokedAt: expect.any(String),
    })
    const error = await worker.preflight({ agentId: 'a' }).catch((caught: unknown) => caught)
    expect(AgentBillAPIError.isInstance(error) && error.status).toBe(401)
  })

  it('project settings and register', async () => {
    await expect(
      bill.admin.project.update({
        upgradeUrl: 'https://example.com/upgrade?c={customer_id}',
        freeUnits: 0,
      }),
    ).resolves.toMatchObject({
      freeUnits: 0,
    })
    const blocked = await bill.preflight({ agentId: 'a', customerId: 'new person' })
    expect(blocked).toMatchObject({
      approved: false,
      upgradeUrl: 'https://example.com/upgrade?c=new%20person',
    })
    await bill.admin.project.update({ upgradeUrl: null, freeUnits: 1000 })
    const registration = await register({ projectName: 'second project', baseUrl: server.url })
    const other = new AgentBill({ apiKey: registration.key, baseUrl: server.url })
    expect((await other.admin.project.get()).name).toBe('second project')
    // Tenant isolation: the other project sees none of this one's customers.
    const theirs = await other.admin.customers.list()
    expect(theirs.data.map((customer) => customer.customerId)).not.toContain('acme')
  })
})
