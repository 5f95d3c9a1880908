import { AgentBill, AgentBillAPIError, register } from 'agentbill'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../src/testing.js'

let server: TestServer
let projectA: AgentBill
let projectB: AgentBill
let reservationB: string
let keyB: string
let eventB: string

beforeAll(async () => {
  server = await startTestServer()
  const options = { baseUrl: '', maxRetries: 0, onError: () => {} }
  projectA = new AgentBill({ ...options, apiKey: server.adminKey, baseUrl: server.url })
  const registration = await register({ baseUrl: server.url, projectName: 'B' })
  projectB = new AgentBill({ ...options, apiKey: registration.key, baseUrl: server.url })
  const held = await projectB.preflight({
    agentId: 'b-agent',
    customerId: 'shared-name',
    estimatedUnits: 40,
    reserve: true,
  })
  reservationB = held.reservationId as string
  const recorded = await projectB.record({
    agentId: 'b-agent',
    customerId: 'shared-name',
    units: 7,
    idempotencyKey: 'b-key',
    runId: 'b-run',
  })
  if (recorded.queued) throw new Error('server is up')
  eventB = recorded.eventId
  await projectB.admin.grants.create('shared-name', { units: 11, idempotencyKey: 'b-grant' })
  keyB = (await projectB.admin.keys.create({ name: 'b runtime' })).id
})
afterAll(() => server.close())

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise
    return 200
  } catch (error) {
    if (error instanceof AgentBillAPIError) return error.status
    throw error
  }
}

describe("project A's key sees none of project B", () => {
  it("answers 404 for B's reservation and key ids", async () => {
    expect(await status(projectA.getReservation(reservationB))).toBe(404)
    expect(await status(projectA.release(reservationB))).toBe(404)
    expect(await status(projectA.admin.keys.revoke(keyB))).toBe(404)
    expect((await projectB.getReservation(reservationB)).status).toBe('open')
  })

  it("never settles B's reservation from A, and keeps idempotency keys per project", async () => {
    const recorded = await projectA.record({
      agentId: 'a-agent',
      customerId: 'shared-name',
      units: 7,
      reservationId: reservationB,
      idempotencyKey: 'b-key',
    })
    expect(recorded).toMatchObject({ duplicate: false, reservationStatus: 'not_found' })
    expect((await projectB.balance('shared-name')).reservedUnits).toBe(40)
    const replay = await projectA.preflight({
      agentId: 'a',
      customerId: 'x',
      idempotencyKey: 'b-key',
    })
    expect(replay.approved).toBe(true)
  })

  it('lists only its own customers, events, decisions, keys and usage', async () => {
    const customers = await projectA.admin.customers.list()
    expect(customers.data.map((customer) => customer.customerId)).toEqual(['shared-name', 'x'])
    // Same customer id, separate ledgers.
    expect(await projectA.balance('shared-name')).toMatchObject({
      usedUnits: 7,
      grantedUnits: 1000,
      reservedUnits: 0,
    })
    expect(await projectB.balance('shared-name')).toMatchObject({
      usedUnits: 7,
      grantedUnits: 1011,
      reservedUnits: 40,
    })
    const events = await projectA.admin.events.list({ runId: 'b-run' })
    expect(events.data).toEqual([])
    const allEvents = await projectA.admin.events.list()
    expect(allEvents.data.map((event) => event.id)).not.toContain(eventB)
    const decisions = await projectA.admin.decisions.list({ agentId: 'b-agent' })
    expect(decisions.data).toEqual([])
    const keys = await projectA.admin.keys.list()
    expect(keys.data.map((key) => key.id)).not.toContain(keyB)
    const usage = await projectA.admin.usage({ groupBy: ['agent'] })
    expect(usage.data.map((row) => row.agentId)).toEqual(['a-agent'])
    expect((await projectA.admin.project.get()).name).not.toBe('B')
  })
})
