import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AgentBill,
  AgentBillValidationError,
  AgentBillWebhookVerificationError,
  verifyWebhook,
} from '../src/index'
import { type ServerProcess, startServerProcess } from './server-process'

// bill.admin.webhooks against the real server process (private targets allowed, so it can
// reach a receiver on 127.0.0.1), and verifyWebhook on what that receiver gets.
let server: ServerProcess
let bill: AgentBill
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = []
let status = 204
const receiver = createServer((request, response) => {
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') })
    response.writeHead(status).end()
  })
})
let receiverUrl = ''

beforeAll(async () => {
  server = await startServerProcess({ env: { AGENTBILL_ALLOW_PRIVATE_WEBHOOK_TARGETS: '1' } })
  bill = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url, onError: () => {} })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/agentbill`
}, 30_000)
afterAll(async () => {
  await server?.stop()
  receiver.closeAllConnections()
  await new Promise((resolve) => receiver.close(resolve))
})

async function waitForDeliveries(count: number): Promise<void> {
  const deadline = Date.now() + 15_000
  while (received.length < count) {
    if (Date.now() > deadline) throw new Error(`${received.length} of ${count} deliveries came`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('bill.admin.webhooks against the real server', () => {
  it('creates an endpoint, and its deliveries verify with verifyWebhook', async () => {
    status = 500
    const endpoint = await bill.admin.webhooks.create({
      url: receiverUrl,
      events: ['grant.created'],
      thresholds: [90],
      description: 'billing service',
    })
    expect(endpoint).toMatchObject({
      id: expect.stringMatching(/^whe_/),
      url: receiverUrl,
      events: ['grant.created'],
      thresholds: [90],
      description: 'billing service',
      deletedAt: null,
      secret: expect.stringMatching(/^whsec_/),
    })
    expect((await bill.admin.webhooks.list()).data).toEqual([
      expect.not.objectContaining({ secret: expect.anything() }),
    ])
    expect(await bill.admin.webhooks.get(endpoint.id)).toMatchObject({ id: endpoint.id })

    const grant = await bill.admin.grants.create('webhook-customer', { units: 42 })
    await waitForDeliveries(1)
    const [delivery] = received
    const event = await verifyWebhook({
      payload: delivery?.body ?? '',
      signature: delivery?.headers['agentbill-signature'] as string,
      secret: endpoint.secret,
    })
    expect(event).toMatchObject({ type: 'grant.created', data: { id: grant.id, units: 42 } })
    await expect(
      verifyWebhook({
        payload: (delivery?.body ?? '').replace('"units":42', '"units":4200'),
        signature: delivery?.headers['agentbill-signature'] as string,
        secret: endpoint.secret,
      }),
    ).rejects.toBeInstanceOf(AgentBillWebhookVerificationError)

    // The 500 is in the log; a resend tries again at once, and the 204 ends it.
    let log = await bill.admin.webhooks.deliveries(endpoint.id)
    const deadline = Date.now() + 10_000
    while (log.data[0]?.attempts !== 1 || log.data[0]?.lastResponseStatus !== 500) {
      if (Date.now() > deadline) throw new Error('the first attempt was not logged')
      await new Promise((resolve) => setTimeout(resolve, 20))
      log = await bill.admin.webhooks.deliveries(endpoint.id)
    }
    expect(log.data[0]).toMatchObject({
      status: 'pending',
      event: { id: event.id, type: 'grant.created' },
      attemptLog: [{ attempt: 1, responseStatus: 500, error: 'HTTP 500', succeeded: false }],
    })
    status = 204
    const resent = await bill.admin.webhooks.resend(endpoint.id, log.data[0]?.id ?? '')
    expect(resent.status).toBe('pending')
    await waitForDeliveries(2)
    expect(received[1]?.headers['agentbill-event-id']).toBe(event.id)
    expect(
      (await bill.admin.webhooks.deliveries(endpoint.id, { status: 'failed', limit: 5 })).data,
    ).toEqual([])

    const deleted = await bill.admin.webhooks.delete(endpoint.id)
    expect(deleted.deletedAt).not.toBeNull()
    expect((await bill.admin.webhooks.list()).data).toEqual([])
  })

  it('checks its arguments before sending, and surfaces the server refusing a target', async () => {
    await expect(
      bill.admin.webhooks.create({ url: 'ftp://x.example', events: ['*'] }),
    ).rejects.toBeInstanceOf(AgentBillValidationError)
    await expect(
      // @ts-expect-error an event type that does not exist
      bill.admin.webhooks.create({ url: receiverUrl, events: ['grant.made'] }),
    ).rejects.toBeInstanceOf(AgentBillValidationError)
    await expect(
      bill.admin.webhooks.create({ url: receiverUrl, events: ['*'], thresholds: [0] }),
    ).rejects.toBeInstanceOf(AgentBillValidationError)
    await expect(
      bill.admin.webhooks.create({ url: 'http://169.254.169.254/latest', events: ['*'] }),
    ).rejects.toMatchObject({ status: 400, param: 'url' })
    await expect(bill.admin.webhooks.deliveries('whe_missing')).rejects.toMatchObject({
      status: 404,
    })
  })
})
