import { AgentBill, type CreatedWebhookEndpoint, register, verifyWebhook } from 'agentbill'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ServerOptions } from '../src/server.js'
import { startTestServer, type TestServer } from '../src/testing.js'
import { WEBHOOK_RETRY_DELAYS_MS } from '../src/webhooks/retry-schedule.js'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js'

// Webhooks end to end: the real server (SQLite) with private targets allowed, a real HTTP
// receiver on 127.0.0.1, the `agentbill` client for the API and for checking signatures. The
// retry schedule (a day) is driven by the server's clock, never by waiting.
const start = Date.UTC(2026, 2, 10, 12, 0, 0)
let now = start
const clock = () => now
const quiet = { onError: () => {}, maxRetries: 0 }

const servers: TestServer[] = []
const receivers: WebhookReceiver[] = []
afterAll(async () => {
  for (const server of servers) await server.close()
  for (const receiver of receivers) await receiver.close()
})

async function serve(options: ServerOptions = {}): Promise<TestServer> {
  const server = await startTestServer({
    clock,
    allowPrivateWebhookTargets: true,
    webhooks: { pollIntervalMs: 20, timeoutMs: 5000, connectTimeoutMs: 2000 },
    ...options,
  })
  servers.push(server)
  return server
}

async function receive(): Promise<WebhookReceiver> {
  const receiver = await startWebhookReceiver()
  receivers.push(receiver)
  return receiver
}

interface Setup {
  server: TestServer
  bill: AgentBill
  receiver: WebhookReceiver
  endpoint: CreatedWebhookEndpoint
}

/** A new project on `server` with one endpoint on a new receiver. */
async function project(
  server: TestServer,
  params: {
    events?: Parameters<AgentBill['admin']['webhooks']['create']>[0]['events']
    thresholds?: number[]
  } = {},
): Promise<Setup> {
  const { key } = await register({ projectName: 'webhooks', baseUrl: server.url })
  const bill = new AgentBill({ apiKey: key, baseUrl: server.url, ...quiet })
  const receiver = await receive()
  const endpoint = await bill.admin.webhooks.create({
    url: `${receiver.url}/hooks/agentbill`,
    events: params.events ?? ['*'],
    ...(params.thresholds === undefined ? {} : { thresholds: params.thresholds }),
  })
  return { server, bill, receiver, endpoint }
}

/** Every due delivery attempted and logged (the worker's timer would get there too). */
async function settle(server: TestServer): Promise<void> {
  await server.server.webhooks?.drain()
}

async function waitForEvents(receiver: WebhookReceiver, count: number, type?: string) {
  await vi.waitFor(() => expect(receiver.events(type).length).toBeGreaterThanOrEqual(count), {
    timeout: 10_000,
    interval: 10,
  })
}

afterEach(() => {
  now = start
})

describe('webhook endpoints', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await serve()
  })

  it('shows the secret once, lists without it, and deletes', async () => {
    const { bill, endpoint, receiver } = await project(server, {
      events: ['grant.created', 'customer.budget.threshold'],
      thresholds: [100, 50, 90],
    })
    expect(endpoint).toMatchObject({
      id: expect.stringMatching(/^whe_/),
      url: `${receiver.url}/hooks/agentbill`,
      events: ['grant.created', 'customer.budget.threshold'],
      thresholds: [50, 90, 100],
      description: null,
      deletedAt: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
    })
    const listed = await bill.admin.webhooks.list()
    expect(listed.data).toHaveLength(1)
    expect(listed.data[0]).not.toHaveProperty('secret')
    expect(JSON.stringify(listed)).not.toContain(endpoint.secret)
    expect(await bill.admin.webhooks.get(endpoint.id)).toEqual(listed.data[0])
    const deleted = await bill.admin.webhooks.delete(endpoint.id)
    expect(deleted.deletedAt).toBe(new Date(now).toISOString())
    expect((await bill.admin.webhooks.list()).data).toEqual([])
    // Deleting again changes nothing; another project cannot see it.
    expect(await bill.admin.webhooks.delete(endpoint.id)).toEqual(deleted)
    const other = await project(server)
    await expect(other.bill.admin.webhooks.get(endpoint.id)).rejects.toMatchObject({ status: 404 })
    await expect(other.bill.admin.webhooks.deliveries(endpoint.id)).rejects.toMatchObject({
      status: 404,
    })
  })

  it('refuses bad input naming the field, and stores nothing', async () => {
    const { key } = await register({ projectName: 'bad', baseUrl: server.url })
    const post = async (body: unknown) => {
      const response = await fetch(`${server.url}/v1/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return {
        status: response.status,
        body: (await response.json()) as { error: { param: string; message: string } },
      }
    }
    const cases: Array<[unknown, string, RegExp]> = [
      [{ events: ['*'] }, 'url', /is required/],
      [{ url: 'ftp://x.example/h', events: ['*'] }, 'url', /http or https/],
      [{ url: 'https://u:p@x.example/h', events: ['*'] }, 'url', /user name or password/],
      [{ url: 'https://x.example/h' }, 'events', /is required/],
      [{ url: 'https://x.example/h', events: [] }, 'events', /list of event types/],
      [{ url: 'https://x.example/h', events: ['grant.made'] }, 'events.0', /list of event types/],
      [{ url: 'https://x.example/h', events: ['*', '*'] }, 'events', /each once/],
      [{ url: 'https://x.example/h', events: ['*'], thresholds: [0] }, 'thresholds.0', /1 to 1000/],
      [
        { url: 'https://x.example/h', events: ['*'], thresholds: [80.5] },
        'thresholds.0',
        /integers/,
      ],
      [{ url: 'https://x.example/h', events: ['*'], thresholds: [] }, 'thresholds', /1 to 10/],
      [{ url: 'https://x.example/h', events: ['*'], secret: 'mine' }, 'secret', /Unknown field/],
    ]
    for (const [body, param, message] of cases) {
      const answer = await post(body)
      expect(answer.status, JSON.stringify(body)).toBe(400)
      expect(answer.body.error.param).toBe(param)
      expect(answer.body.error.message).toMatch(message)
    }
    const runtime = await new AgentBill({
      apiKey: key,
      baseUrl: server.url,
      ...quiet,
    }).admin.keys.create({
      name: 'agents',
    })
    const forbidden = await fetch(`${server.url}/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${runtime.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/h', events: ['*'] }),
    })
    expect(forbidden.status).toBe(403)
    const bill = new AgentBill({ apiKey: key, baseUrl: server.url, ...quiet })
    expect((await bill.admin.webhooks.list()).data).toEqual([])
  })

  it('allows 16 endpoints per project', async () => {
    const { bill, receiver } = await project(server)
    for (let index = 1; index < 16; index++) {
      await bill.admin.webhooks.create({ url: `${receiver.url}/${index}`, events: ['*'] })
    }
    await expect(
      bill.admin.webhooks.create({ url: `${receiver.url}/17`, events: ['*'] }),
    ).rejects.toMatchObject({ status: 400, param: 'url' })
  })
})

describe('deliveries', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await serve()
  })

  it('signs each delivery as the client verifies; a tampered body fails', async () => {
    const { bill, receiver, endpoint } = await project(server)
    await bill.admin.grants.create('acme', { units: 500, reason: 'purchase' })
    await waitForEvents(receiver, 1)
    const [delivery] = receiver.received
    if (delivery === undefined) throw new Error('nothing received')
    expect(delivery.path).toBe('/hooks/agentbill')
    expect(delivery.headers['content-type']).toBe('application/json')
    expect(delivery.headers['user-agent']).toMatch(/^agentbill-webhooks\//)
    const event = await verifyWebhook({
      payload: delivery.body,
      signature: delivery.headers['agentbill-signature'] as string,
      secret: endpoint.secret,
      now: clock,
    })
    expect(event).toMatchObject({
      id: expect.stringMatching(/^whevt_/),
      type: 'grant.created',
      created_at: new Date(now).toISOString(),
      data: {
        customer_id: 'acme',
        units: 500,
        reason: 'purchase',
        id: expect.stringMatching(/^gnt_/),
      },
    })
    expect(delivery.headers['agentbill-event-id']).toBe(event.id)
    expect(delivery.headers['agentbill-event-type']).toBe('grant.created')
    expect(delivery.headers['agentbill-signature']).toBe(
      `t=${Math.floor(now / 1000)},v1=${(delivery.headers['agentbill-signature'] as string).split('v1=')[1]}`,
    )
    await expect(
      verifyWebhook({
        payload: delivery.body.replace('"units":500', '"units":5000'),
        signature: delivery.headers['agentbill-signature'] as string,
        secret: endpoint.secret,
        now: clock,
      }),
    ).rejects.toThrow(/does not match/)
    await expect(
      verifyWebhook({
        payload: delivery.body,
        signature: delivery.headers['agentbill-signature'] as string,
        secret: endpoint.secret,
        now: () => now + 301_000,
      }),
    ).rejects.toThrow(/tolerance/)
    // The delivery log has it, succeeded at the first attempt.
    const log = await bill.admin.webhooks.deliveries(endpoint.id)
    expect(log.data).toHaveLength(1)
    expect(log.data[0]).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      lastResponseStatus: 204,
      event: { id: event.id, type: 'grant.created' },
      attemptLog: [{ attempt: 1, responseStatus: 204, error: null, succeeded: true }],
    })
  })

  it('retries a receiver that fails twice: three requests, one event id, the log shows each', async () => {
    const { bill, receiver, endpoint } = await project(server, { events: ['grant.created'] })
    receiver.answer = (_request, index) => (index < 2 ? 500 : 204)
    await bill.admin.grants.create('retry', { units: 5 })
    await waitForEvents(receiver, 1)
    await settle(server)
    // Nothing more until the first retry is due (a minute, plus up to 10% jitter).
    expect(receiver.received).toHaveLength(1)
    now += (WEBHOOK_RETRY_DELAYS_MS[0] as number) * 1.1 + 1000
    await waitForEvents(receiver, 2)
    await settle(server)
    expect(receiver.received).toHaveLength(2)
    now += (WEBHOOK_RETRY_DELAYS_MS[1] as number) * 1.1 + 1000
    await waitForEvents(receiver, 3)
    await settle(server)
    now += 24 * 3_600_000
    await settle(server)
    expect(receiver.received).toHaveLength(3)
    const ids = receiver.received.map((item) => item.headers['agentbill-event-id'])
    expect(new Set(ids).size).toBe(1)
    expect(new Set(receiver.received.map((item) => item.body)).size).toBe(1)
    for (const item of receiver.received) {
      const timestamp = Number(/t=(\d+)/.exec(item.headers['agentbill-signature'] as string)?.[1])
      await expect(
        verifyWebhook({
          payload: item.body,
          signature: item.headers['agentbill-signature'] as string,
          secret: endpoint.secret,
          now: () => timestamp * 1000,
        }),
      ).resolves.toMatchObject({ type: 'grant.created' })
    }
    const [delivery] = (await bill.admin.webhooks.deliveries(endpoint.id)).data
    expect(delivery).toMatchObject({
      status: 'succeeded',
      attempts: 3,
      lastResponseStatus: 204,
      nextAttemptAt: null,
    })
    expect(
      delivery?.attemptLog.map((attempt) => [
        attempt.attempt,
        attempt.responseStatus,
        attempt.error,
      ]),
    ).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 204, null],
    ])
  })

  it('gives up after 10 attempts over about a day; a resend tries once more', async () => {
    const { bill, receiver, endpoint } = await project(server, { events: ['grant.created'] })
    receiver.answer = () => 503
    await bill.admin.grants.create('down', { units: 5 })
    for (let attempt = 1; attempt <= 10; attempt++) {
      await waitForEvents(receiver, attempt)
      await settle(server)
      now += 9 * 3_600_000
    }
    await settle(server)
    expect(receiver.received).toHaveLength(10)
    const [failed] = (await bill.admin.webhooks.deliveries(endpoint.id)).data
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 10,
      maxAttempts: 10,
      nextAttemptAt: null,
    })
    expect(failed?.attemptLog).toHaveLength(10)
    // The attempts follow the schedule: each one after the previous by at least its delay.
    const starts = failed?.attemptLog.map((attempt) => Date.parse(attempt.startedAt)) ?? []
    for (let index = 1; index < starts.length; index++) {
      expect((starts[index] as number) - (starts[index - 1] as number)).toBeGreaterThanOrEqual(
        WEBHOOK_RETRY_DELAYS_MS[index - 1] as number,
      )
    }
    expect(await bill.admin.webhooks.deliveries(endpoint.id, { status: 'failed' })).toMatchObject({
      data: [{ id: failed?.id }],
    })
    receiver.answer = () => 200
    const resent = await bill.admin.webhooks.resend(endpoint.id, failed?.id ?? '')
    expect(resent).toMatchObject({ status: 'pending', attempts: 10, maxAttempts: 11 })
    await waitForEvents(receiver, 11)
    await settle(server)
    const [done] = (await bill.admin.webhooks.deliveries(endpoint.id)).data
    expect(done).toMatchObject({ status: 'succeeded', attempts: 11, lastResponseStatus: 200 })
    expect(new Set(receiver.received.map((item) => item.headers['agentbill-event-id'])).size).toBe(
      1,
    )
    // Resending a succeeded delivery sends it once more, and only once.
    await bill.admin.webhooks.resend(endpoint.id, failed?.id ?? '')
    await waitForEvents(receiver, 12)
    await settle(server)
    now += 48 * 3_600_000
    await settle(server)
    expect(receiver.received).toHaveLength(12)
    await expect(bill.admin.webhooks.resend(endpoint.id, 'whdel_nope')).rejects.toMatchObject({
      status: 404,
      param: 'delivery_id',
    })
  })

  it('never follows a redirect: a 3xx is a failed attempt', async () => {
    const { bill, receiver, endpoint } = await project(server, { events: ['grant.created'] })
    const elsewhere = await receive()
    receiver.answer = () => ({ status: 302, headers: { location: `${elsewhere.url}/steal` } })
    await bill.admin.grants.create('redirected', { units: 5 })
    await waitForEvents(receiver, 1)
    await settle(server)
    const [delivery] = (await bill.admin.webhooks.deliveries(endpoint.id)).data
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: 302 })
    expect(delivery?.lastError).toBe(`redirect not followed: HTTP 302 to ${elsewhere.url}/steal`)
    expect(elsewhere.received).toEqual([])
  })

  it('sends each endpoint only the events it subscribed to', async () => {
    const setup = await project(server, { events: ['grant.created'] })
    const blockedReceiver = await receive()
    const blockedOnly = await setup.bill.admin.webhooks.create({
      url: blockedReceiver.url,
      events: ['preflight.blocked'],
    })
    await setup.bill.admin.grants.create('sub', { units: 5 })
    await setup.bill.preflight({ agentId: 'a', customerId: 'sub', estimatedUnits: 5000 })
    await waitForEvents(setup.receiver, 1)
    await waitForEvents(blockedReceiver, 1)
    await settle(server)
    expect(setup.receiver.events().map((event) => event.type)).toEqual(['grant.created'])
    expect(blockedReceiver.events().map((event) => event.type)).toEqual(['preflight.blocked'])
    expect((await setup.bill.admin.webhooks.deliveries(blockedOnly.id)).data).toHaveLength(1)
  })

  it('cancels pending deliveries when their endpoint is deleted', async () => {
    const { bill, receiver, endpoint } = await project(server, { events: ['grant.created'] })
    receiver.answer = () => 500
    await bill.admin.grants.create('gone', { units: 5 })
    await waitForEvents(receiver, 1)
    await settle(server)
    await bill.admin.webhooks.delete(endpoint.id)
    now += 24 * 3_600_000
    await settle(server)
    expect(receiver.received).toHaveLength(1)
    const log = await bill.admin.webhooks.deliveries(endpoint.id)
    expect(log.data[0]).toMatchObject({ status: 'cancelled', attempts: 1, nextAttemptAt: null })
    await expect(
      bill.admin.webhooks.resend(endpoint.id, log.data[0]?.id ?? ''),
    ).rejects.toMatchObject({
      status: 404,
    })
  })

  it('prunes deliveries 30 days after they finished; pending ones stay', async () => {
    const { bill, receiver, endpoint } = await project(server, { events: ['grant.created'] })
    receiver.answer = (request) => (request.body.includes('"keep"') ? 500 : 204)
    await bill.admin.grants.create('done', { units: 1 })
    await bill.admin.grants.create('keep', { units: 1 })
    await waitForEvents(receiver, 2)
    await settle(server)
    now += 29 * 86_400_000
    expect(await server.server.webhooks?.prune()).toBe(0)
    now += 2 * 86_400_000
    // Other tests' finished deliveries go too; this endpoint's succeeded one is among them.
    expect(await server.server.webhooks?.prune()).toBeGreaterThanOrEqual(1)
    const left = await bill.admin.webhooks.deliveries(endpoint.id)
    expect(left.data.map((item) => [item.event.data.customer_id, item.status])).toEqual([
      ['keep', 'pending'],
    ])
  })

  it('pages the delivery log, newest first', async () => {
    const { bill, receiver, endpoint } = await project(server, { events: ['grant.created'] })
    for (let index = 0; index < 5; index++) {
      await bill.admin.grants.create(`page-${index}`, { units: index + 1 })
    }
    await waitForEvents(receiver, 5)
    const first = await bill.admin.webhooks.deliveries(endpoint.id, { limit: 2 })
    expect(first.hasMore).toBe(true)
    expect(first.data.map((item) => item.event.data.customer_id)).toEqual(['page-4', 'page-3'])
    const rest = await bill.admin.webhooks.deliveries(endpoint.id, {
      limit: 10,
      startingAfter: first.data[1]?.id ?? '',
    })
    expect(rest.hasMore).toBe(false)
    expect(rest.data.map((item) => item.event.data.customer_id)).toEqual([
      'page-2',
      'page-1',
      'page-0',
    ])
  })
})

describe('a slow receiver', () => {
  it('never holds up preflight or record: they answer while a delivery hangs', async () => {
    // A long time-out, so the attempt is certainly still open while the requests run.
    const server = await serve({ webhooks: { pollIntervalMs: 20, timeoutMs: 60_000 } })
    const { bill, receiver, endpoint } = await project(server, { events: ['preflight.blocked'] })
    receiver.answer = () => 'hang'
    await bill.preflight({ agentId: 'a', customerId: 'slow', estimatedUnits: 5000 })
    await vi.waitFor(() => expect(receiver.hanging).toHaveLength(1), {
      timeout: 10_000,
      interval: 10,
    })
    // The worker is inside an attempt that has no answer, and will not get one until released.
    expect(server.server.webhooks?.inFlight).toBe(1)
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        index % 2 === 0
          ? bill.preflight({
              agentId: 'a',
              customerId: 'slow',
              estimatedUnits: index % 4 === 0 ? 5000 : 1,
            })
          : bill.record({ agentId: 'a', customerId: 'slow', units: 1 }),
      ),
    )
    expect(answers).toHaveLength(20)
    // Every answer came back while that attempt was still waiting on the receiver.
    expect(server.server.webhooks?.inFlight).toBeGreaterThanOrEqual(1)
    expect(receiver.hanging[0]?.writableEnded).toBe(false)
    receiver.answer = () => 204
    receiver.release(204)
    await settle(server)
    const log = await bill.admin.webhooks.deliveries(endpoint.id)
    // The first blocked preflight and the five blocked ones after it (index 0, 4, 8, 12, 16).
    expect(log.data).toHaveLength(6)
    expect(log.data.every((item) => item.status === 'succeeded')).toBe(true)
  })

  it('times out an attempt that gets no answer, and retries it later', async () => {
    const server = await serve({ webhooks: { pollIntervalMs: 20, timeoutMs: 300 } })
    const { bill, receiver, endpoint } = await project(server, { events: ['grant.created'] })
    receiver.answer = (_request, index) => (index === 0 ? 'hang' : 204)
    await bill.admin.grants.create('hang', { units: 5 })
    await waitForEvents(receiver, 1)
    await settle(server)
    const [delivery] = (await bill.admin.webhooks.deliveries(endpoint.id)).data
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastResponseStatus: null,
      lastError: 'timed out: no complete answer within 300 ms',
    })
    now += 2 * (WEBHOOK_RETRY_DELAYS_MS[0] as number)
    await waitForEvents(receiver, 2)
    await settle(server)
    expect((await bill.admin.webhooks.deliveries(endpoint.id)).data[0]?.status).toBe('succeeded')
  })
})
