import { AgentBill } from 'agentbill'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type RunningServer, startServer } from '../src/server.js'
import { adminQuery, createTestDatabase } from '../src/store/postgres-test-database.js'
import { spawnServerProcess } from '../src/testing.js'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js'

// Several server instances on one PostgreSQL database: every instance runs a delivery worker,
// and each event still reaches each endpoint once, not once per instance. A worker that dies
// mid-attempt leaves its claim to lapse, and another instance retries the delivery.
const quiet = { onError: () => {}, maxRetries: 0 }

let database: Awaited<ReturnType<typeof createTestDatabase>>
const receivers: WebhookReceiver[] = []
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(async () => {
  for (const receiver of receivers) await receiver.close()
  await database?.drop()
})

async function receive(): Promise<WebhookReceiver> {
  const receiver = await startWebhookReceiver()
  receivers.push(receiver)
  return receiver
}

describe('two instances on one PostgreSQL database', () => {
  let instances: RunningServer[] = []
  let adminKey: string

  beforeAll(async () => {
    const options = {
      port: 0,
      database: database.url,
      logger: false as const,
      allowPrivateWebhookTargets: true,
      // Both workers look often and several at a time, so they really compete for deliveries.
      webhooks: { pollIntervalMs: 5, concurrency: 4 },
    }
    instances = await Promise.all([startServer(options), startServer(options)])
    const keys = instances.flatMap((instance) =>
      instance.bootstrapped === null ? [] : [instance.bootstrapped.adminKey],
    )
    expect(keys).toHaveLength(1)
    adminKey = keys[0] as string
  })
  afterAll(async () => {
    for (const instance of instances) await instance.close()
  })

  it('delivers each event to each endpoint once, with both workers running', async () => {
    const receiver = await receive()
    const clients = instances.map(
      (instance) => new AgentBill({ apiKey: adminKey, baseUrl: instance.url, ...quiet }),
    )
    const [first, second] = clients as [AgentBill, AgentBill]
    await first.admin.webhooks.create({ url: `${receiver.url}/a`, events: ['grant.created'] })
    await second.admin.webhooks.create({ url: `${receiver.url}/b`, events: ['*'] })
    const grants = 60
    await Promise.all(
      Array.from({ length: grants }, (_, index) =>
        (clients[index % 2] as AgentBill).admin.grants.create(`customer-${index % 7}`, {
          units: index + 1,
        }),
      ),
    )
    await vi.waitFor(() => expect(receiver.received.length).toBeGreaterThanOrEqual(2 * grants), {
      timeout: 30_000,
      interval: 20,
    })
    for (const instance of instances) await instance.webhooks?.drain()
    const seen = new Map<string, number>()
    for (const item of receiver.received) {
      const key = `${item.path} ${item.headers['agentbill-event-id']}`
      seen.set(key, (seen.get(key) ?? 0) + 1)
    }
    expect(receiver.received).toHaveLength(2 * grants)
    expect(seen.size).toBe(2 * grants)
    expect([...seen.values()].every((count) => count === 1)).toBe(true)
    // Both workers delivered some: the deliveries were shared, not each made twice.
    const attempts = instances.map((instance) => instance.webhooks?.stats.attempts ?? 0)
    expect(attempts[0]).toBeGreaterThan(0)
    expect(attempts[1]).toBeGreaterThan(0)
    expect((attempts[0] ?? 0) + (attempts[1] ?? 0)).toBe(2 * grants)
    const rows = await adminQuery<{ status: string; attempts: number; count: string }>(
      `SELECT status, attempts, count(*) AS count FROM webhook_deliveries GROUP BY status, attempts`,
      [],
      database.url,
    )
    expect(rows).toEqual([{ status: 'succeeded', attempts: 1, count: String(2 * grants) }])
  })
})

describe('a worker that dies mid-attempt', () => {
  it('leaves its claim to lapse; another instance then delivers the same event', async () => {
    const crashDatabase = await createTestDatabase()
    const receiver = await receive()
    // The first attempt reaches the receiver, which never answers; the process is killed.
    receiver.answer = (_request, index) => (index === 0 ? 'hang' : 204)
    const doomed = await spawnServerProcess({
      database: crashDatabase.url,
      args: ['--allow-private-webhook-targets'],
    })
    let survivor: RunningServer | undefined
    try {
      const adminKey = doomed.adminKey as string
      const bill = new AgentBill({ apiKey: adminKey, baseUrl: doomed.url, ...quiet })
      const endpoint = await bill.admin.webhooks.create({ url: receiver.url, events: ['*'] })
      await bill.admin.grants.create('c', { units: 10 })
      await vi.waitFor(() => expect(receiver.hanging).toHaveLength(1), { timeout: 10_000 })
      doomed.child.kill('SIGKILL')
      await new Promise((resolve) => doomed.child.once('exit', resolve))

      // Another instance, whose clock the test moves past the dead worker's lease.
      let offset = 0
      survivor = await startServer({
        port: 0,
        database: crashDatabase.url,
        logger: false,
        clock: () => Date.now() + offset,
        allowPrivateWebhookTargets: true,
        webhooks: { pollIntervalMs: 20 },
      })
      await survivor.webhooks?.drain()
      expect(receiver.received).toHaveLength(1)
      offset = 61_000
      await vi.waitFor(() => expect(receiver.received).toHaveLength(2), { timeout: 10_000 })
      await survivor.webhooks?.drain()
      const [first, second] = receiver.received
      expect(second?.headers['agentbill-event-id']).toBe(first?.headers['agentbill-event-id'])
      expect(second?.body).toBe(first?.body)
      const log = await new AgentBill({
        apiKey: adminKey,
        baseUrl: survivor.url,
        ...quiet,
      }).admin.webhooks.deliveries(endpoint.id)
      // The dead worker's attempt was claimed (it counts) but never logged; the second is.
      expect(log.data[0]).toMatchObject({ status: 'succeeded', attempts: 2 })
      expect(
        log.data[0]?.attemptLog.map((attempt) => [attempt.attempt, attempt.responseStatus]),
      ).toEqual([[2, 204]])
    } finally {
      if (doomed.child.exitCode === null) doomed.child.kill('SIGKILL')
      await survivor?.close()
      await crashDatabase.drop()
    }
  })
})
