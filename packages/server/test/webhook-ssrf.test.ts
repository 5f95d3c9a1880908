import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AgentBill, AgentBillAPIError } from 'agentbill'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startServer } from '../src/server.js'
import { startTestServer, type TestServer } from '../src/testing.js'
import { type ResolvedAddress, systemLookup } from '../src/webhooks/webhook-target.js'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js'

// Webhook targets must be public unless the server allows private ones: refused when an
// endpoint is created (literal addresses and names, resolved) and again before every attempt,
// after resolution, connecting only to the address that was checked.
const quiet = { onError: () => {}, maxRetries: 0 }

/** A resolver for made-up names (the system's for the rest), counting its calls per name. */
function fakeDns(answers: Record<string, () => ResolvedAddress[]>) {
  const calls: Record<string, number> = {}
  return {
    calls,
    lookup: async (host: string) => {
      calls[host] = (calls[host] ?? 0) + 1
      const answer = answers[host]
      return answer === undefined ? systemLookup(host) : answer()
    },
  }
}

const v4 = (address: string): ResolvedAddress[] => [{ address, family: 4 }]

let receiver: WebhookReceiver
const directory = mkdtempSync(join(tmpdir(), 'agentbill-ssrf-'))
beforeAll(async () => {
  receiver = await startWebhookReceiver()
})
afterAll(async () => {
  await receiver.close()
  rmSync(directory, { recursive: true, force: true })
})

async function createError(bill: AgentBill, url: string): Promise<AgentBillAPIError> {
  try {
    await bill.admin.webhooks.create({ url, events: ['*'] })
  } catch (error) {
    if (error instanceof AgentBillAPIError) return error
    throw error
  }
  throw new Error(`${url} was accepted`)
}

describe('with private targets refused (the default)', () => {
  let server: TestServer
  let bill: AgentBill
  const dns = fakeDns({
    'internal.example': () => v4('10.1.2.3'),
    'metadata.example': () => v4('169.254.169.254'),
    'v6-private.example': () => [{ address: 'fd00::1234', family: 6 }],
    'mapped.example': () => [{ address: '::ffff:127.0.0.1', family: 6 }],
    'cgnat.example': () => v4('100.64.0.7'),
    'split.example': () => [...v4('93.184.216.34'), ...v4('192.168.1.1')],
  })

  beforeAll(async () => {
    server = await startTestServer({ webhooks: { lookup: dns.lookup } })
    bill = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url, ...quiet })
  })
  afterAll(() => server.close())

  const port = () => new URL(receiver.url).port

  it('refuses literal loopback, private, link-local, CGNAT, unique-local, mapped and metadata addresses', async () => {
    const urls = [
      `${receiver.url}/hook`,
      `http://127.1:${port()}/hook`,
      `http://2130706433:${port()}/hook`,
      `http://0x7f000001:${port()}/hook`,
      `http://[::1]:${port()}/hook`,
      `http://[::ffff:127.0.0.1]:${port()}/hook`,
      'http://10.0.0.1/hook',
      'http://172.20.1.1/hook',
      'https://192.168.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://169.254.1.1/hook',
      'http://100.100.100.200/latest',
      'http://100.64.0.1/hook',
      'http://[fd00::1]/hook',
      'http://[fe80::1]/hook',
      'http://[fd00:ec2::254]/latest',
      'http://0.0.0.0/hook',
    ]
    for (const url of urls) {
      const error = await createError(bill, url)
      expect(error.status, url).toBe(400)
      expect(error.param).toBe('url')
      expect(error.message).toMatch(/must (point to a public address|not point)/)
    }
  })

  it('refuses names that resolve to such addresses (any of them), or do not resolve', async () => {
    const cases: Array<[string, RegExp]> = [
      [`http://localhost:${port()}/hook`, /loopback/],
      ['http://internal.example/hook', /private one: internal\.example \(10\.1\.2\.3\)/],
      ['http://metadata.example/latest', /cloud metadata address: metadata\.example/],
      ['https://v6-private.example/hook', /unique-local/],
      ['https://mapped.example/hook', /IPv4-mapped IPv6/],
      ['https://cgnat.example/hook', /carrier-grade NAT/],
      ['https://split.example/hook', /192\.168\.1\.1/],
      ['https://no-such-host.invalid/hook', /does not resolve/],
    ]
    for (const [url, message] of cases) {
      const error = await createError(bill, url)
      expect(error.status, url).toBe(400)
      expect(error.message, url).toMatch(message)
    }
    expect((await bill.admin.webhooks.list()).data).toEqual([])
    expect(receiver.received).toEqual([])
  })

  it('does not resolve names for a caller without an admin key', async () => {
    const before = dns.calls['internal.example'] ?? 0
    const response = await fetch(`${server.url}/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: 'Bearer agb_not_a_key', 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://internal.example/hook', events: ['*'] }),
    })
    expect(response.status).toBe(401)
    expect(dns.calls['internal.example'] ?? 0).toBe(before)
  })

  it('accepts a public target', async () => {
    const created = await bill.admin.webhooks.create({
      url: 'https://93.184.216.34/hooks',
      events: ['grant.created'],
    })
    expect(created.url).toBe('https://93.184.216.34/hooks')
    await bill.admin.webhooks.delete(created.id)
  })
})

describe('with private targets allowed', () => {
  it('accepts the loopback URL the default refuses, and delivers to it; metadata stays refused', async () => {
    const server = await startTestServer({
      allowPrivateWebhookTargets: true,
      webhooks: { pollIntervalMs: 20 },
    })
    try {
      const bill = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url, ...quiet })
      await bill.admin.webhooks.create({
        url: `${receiver.url}/allowed`,
        events: ['grant.created'],
      })
      await bill.admin.grants.create('c', { units: 1 })
      await vi.waitFor(
        () => expect(receiver.received.filter((item) => item.path === '/allowed')).toHaveLength(1),
        { timeout: 10_000, interval: 10 },
      )
      for (const url of [
        'http://169.254.169.254/latest/meta-data/',
        'http://[fd00:ec2::254]/',
        'http://0.0.0.0:80/',
      ]) {
        expect((await createError(bill, url)).message).toMatch(/must not point/)
      }
    } finally {
      await server.close()
    }
  })

  it('connects to the address it checked, never resolving the name a second time', async () => {
    // Only this resolver knows the name: a second resolution (by the HTTP client itself)
    // would fail. Every attempt resolves once.
    const dns = fakeDns({ 'hooks.internal': () => v4('127.0.0.1') })
    const server = await startTestServer({
      allowPrivateWebhookTargets: true,
      webhooks: { pollIntervalMs: 20, lookup: dns.lookup },
    })
    try {
      const bill = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url, ...quiet })
      await bill.admin.webhooks.create({
        url: `http://hooks.internal:${new URL(receiver.url).port}/by-name`,
        events: ['grant.created'],
      })
      expect(dns.calls['hooks.internal']).toBe(1)
      await bill.admin.grants.create('c', { units: 1 })
      await vi.waitFor(
        () => expect(receiver.received.filter((item) => item.path === '/by-name')).toHaveLength(1),
        { timeout: 10_000, interval: 10 },
      )
      const request = receiver.received.find((item) => item.path === '/by-name')
      expect(request?.headers.host).toBe(`hooks.internal:${new URL(receiver.url).port}`)
      expect(dns.calls['hooks.internal']).toBe(2)
    } finally {
      await server.close()
    }
  })
})

describe('checked again before every attempt', () => {
  it('refuses a name that resolved to a public address at creation and rebinds to loopback', async () => {
    let answer = '93.184.216.34'
    const dns = fakeDns({ 'rebind.example': () => v4(answer) })
    const server = await startTestServer({ webhooks: { pollIntervalMs: 20, lookup: dns.lookup } })
    try {
      const bill = new AgentBill({ apiKey: server.adminKey, baseUrl: server.url, ...quiet })
      const endpoint = await bill.admin.webhooks.create({
        url: `http://rebind.example:${new URL(receiver.url).port}/rebound`,
        events: ['grant.created'],
      })
      answer = '127.0.0.1'
      await bill.admin.grants.create('c', { units: 1 })
      await server.server.webhooks?.drain()
      const [delivery] = (await bill.admin.webhooks.deliveries(endpoint.id)).data
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: null })
      expect(delivery?.lastError).toBe(
        'refused: the URL must point to a public address, not a loopback one: rebind.example (127.0.0.1) ' +
          '(a server started with allowPrivateWebhookTargets accepts private targets)',
      )
      expect(receiver.received.filter((item) => item.path === '/rebound')).toEqual([])
    } finally {
      await server.close()
    }
  })

  it('refuses deliveries to private targets once the server no longer allows them', async () => {
    const database = join(directory, 'turned-off.db')
    const allowed = await startTestServer({
      database,
      allowPrivateWebhookTargets: true,
      webhooks: false,
    })
    const bill = new AgentBill({ apiKey: allowed.adminKey, baseUrl: allowed.url, ...quiet })
    const endpoint = await bill.admin.webhooks.create({
      url: `${receiver.url}/turned-off`,
      events: ['grant.created'],
    })
    // No worker in this instance: the event waits in the outbox.
    await bill.admin.grants.create('c', { units: 1 })
    await allowed.close()
    const refusing = await startServer({
      port: 0,
      database,
      logger: false,
      webhooks: { pollIntervalMs: 20 },
    })
    try {
      const again = new AgentBill({ apiKey: allowed.adminKey, baseUrl: refusing.url, ...quiet })
      await refusing.webhooks?.drain()
      const [delivery] = (await again.admin.webhooks.deliveries(endpoint.id)).data
      expect(delivery?.lastError).toMatch(
        /^refused: the URL must point to a public address, not a loopback one/,
      )
      expect(receiver.received.filter((item) => item.path === '/turned-off')).toEqual([])
    } finally {
      await refusing.close()
    }
  })
})
