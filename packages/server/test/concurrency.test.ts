import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AgentBill } from 'agentbill'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../src/testing.js'

// A real file with the default durability: concurrent requests share group commits.
const directory = mkdtempSync(join(tmpdir(), 'agentbill-concurrency-'))
let server: TestServer
let bill: AgentBill

beforeAll(async () => {
  server = await startTestServer({ database: join(directory, 'ledger.db') })
  bill = new AgentBill({
    apiKey: server.adminKey,
    baseUrl: server.url,
    maxRetries: 0,
    onError: () => {},
  })
})
afterAll(async () => {
  await server.close()
  rmSync(directory, { recursive: true, force: true })
})

describe('concurrency', () => {
  it('approves exactly 50 of 200 concurrent 1-unit reserving preflights against 50 remaining', async () => {
    await bill.admin.customers.update('hot', { limitUnits: 50 })
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        bill.preflight({
          agentId: `agent-${index % 7}`,
          customerId: 'hot',
          estimatedUnits: 1,
          reserve: true,
        }),
      ),
    )
    const approved = answers.filter((answer) => answer.approved)
    expect(approved).toHaveLength(50)
    for (const answer of answers) {
      expect(answer.remainingUnits).not.toBeNull()
      expect(answer.remainingUnits as number).toBeGreaterThanOrEqual(0)
      if (!answer.approved) expect(answer.reason).toBe('budget_exhausted')
    }
    // Serialized decisions: each approval saw one unit less, down to exactly 0.
    expect(
      approved.map((answer) => answer.remainingUnits).sort((a, b) => (a ?? 0) - (b ?? 0)),
    ).toEqual(Array.from({ length: 50 }, (_, index) => index))
    expect(new Set(approved.map((answer) => answer.reservationId)).size).toBe(50)
    expect(await bill.balance('hot')).toMatchObject({
      reservedUnits: 50,
      remainingUnits: 0,
      usedUnits: 0,
    })
    const decisions = await bill.admin.decisions.list({ customerId: 'hot', limit: 200 })
    expect(decisions.data).toHaveLength(200)
  })

  it('counts 50 concurrent records with one idempotency key once', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        bill.record({ agentId: 'a', customerId: 'same-key', units: 9, idempotencyKey: 'once' }),
      ),
    )
    const accepted = answers.map((answer) => {
      if (answer.queued) throw new Error('the server is up: nothing should be queued')
      return answer
    })
    expect(accepted.filter((answer) => !answer.duplicate)).toHaveLength(1)
    expect(new Set(accepted.map((answer) => answer.eventId)).size).toBe(1)
    expect((await bill.balance('same-key')).usedUnits).toBe(9)
    expect((await bill.admin.events.list({ customerId: 'same-key' })).data).toHaveLength(1)
  })

  it('keeps each request atomic when concurrent ones fail validation or conflict', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, index) =>
        bill.record({
          agentId: 'a',
          customerId: 'mixed',
          // Every third request reuses a key with other units: 422, and nothing of it is kept.
          units: index % 3 === 0 ? 100 + index : 1,
          idempotencyKey: index % 3 === 0 ? 'mixed-shared' : `mixed-${index}`,
        }),
      ),
    )
    const rejected = results.filter((result) => result.status === 'rejected')
    expect(rejected).toHaveLength(19)
    const events = await bill.admin.events.list({ customerId: 'mixed', limit: 200 })
    const used = events.data.reduce((sum, event) => sum + event.units, 0)
    expect(events.data).toHaveLength(41)
    expect((await bill.balance('mixed')).usedUnits).toBe(used)
  })
})
