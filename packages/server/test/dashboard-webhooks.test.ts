import { AgentBill } from 'agentbill'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DASHBOARD_CSP } from '../src/dashboard/security-headers.js'
import { startTestServer, type TestServer } from '../src/testing.js'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js'

// The dashboard's Webhooks pages over real HTTP: an endpoint created with its secret shown
// once, the delivery log with status, attempts and response codes, a resend, a delete; every
// form behind the CSRF token, every value escaped, the strict CSP on every page.
let server: TestServer
let receiver: WebhookReceiver
let bill: AgentBill

beforeAll(async () => {
  server = await startTestServer({
    allowPrivateWebhookTargets: true,
    webhooks: { pollIntervalMs: 20 },
  })
  receiver = await startWebhookReceiver()
  bill = new AgentBill({
    apiKey: server.adminKey,
    baseUrl: server.url,
    onError: () => {},
    maxRetries: 0,
  })
})
afterAll(async () => {
  await server.close()
  await receiver.close()
})

/** A browser's cookie jar, reduced to what these tests need. */
class Browser {
  cookies = new Map<string, string>()

  async fetch(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(`${server.url}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(cookie === '' ? {} : { cookie }), ...init.headers },
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const [name, ...value] = (pair ?? '').split('=')
      if (name === undefined) continue
      if (/max-age=0/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value.join('='))
    }
    return response
  }

  async formToken(path: string): Promise<string> {
    const html = await (await this.fetch(path)).text()
    const match = /name="_csrf" value="([^"]+)"/.exec(html)
    if (match === null) throw new Error(`no form token on ${path}`)
    return match[1] as string
  }

  post(path: string, fields: Array<[string, string]>, headers: Record<string, string> = {}) {
    return this.fetch(path, {
      method: 'POST',
      body: new URLSearchParams(fields).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: server.url,
        'sec-fetch-site': 'same-origin',
        ...headers,
      },
    })
  }

  async signIn(): Promise<void> {
    const token = await this.formToken('/sign-in')
    const response = await this.post('/sign-in', [
      ['_csrf', token],
      ['key', server.adminKey],
      ['next', '/'],
    ])
    expect(response.status).toBe(303)
  }
}

describe('the Webhooks pages', () => {
  const browser = new Browser()
  let endpointId = ''
  let secret = ''

  beforeAll(() => browser.signIn())

  it('lists nothing at first, in the navigation, under the strict CSP', async () => {
    const response = await browser.fetch('/webhooks')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-security-policy')).toBe(DASHBOARD_CSP)
    const html = await response.text()
    expect(html).toContain('href="/webhooks" aria-current="page"')
    expect(html).toContain('No endpoint yet.')
    expect(html).not.toMatch(/<script>|<style|style="| on[a-z]+="/)
  })

  it('refuses a forged form and a bad URL, naming the problem and keeping what was typed', async () => {
    const forged = await browser.post('/webhooks', [
      ['_csrf', 'not-the-token'],
      ['url', `${receiver.url}/forged`],
      ['events', '*'],
    ])
    expect(forged.status).toBe(403)
    const token = await browser.formToken('/webhooks')
    const bad = await browser.post('/webhooks', [
      ['_csrf', token],
      ['url', 'ftp://files.example/drop'],
      ['events', 'grant.created'],
      ['thresholds', '50'],
    ])
    expect(bad.status).toBe(400)
    const html = await bad.text()
    expect(html).toContain('Invalid field url: must be an http or https URL')
    expect(html).toMatch(
      /name="url"[^>]*value="ftp:\/\/files.example\/drop"[^>]*aria-invalid="true"/,
    )
    expect(html).toMatch(/value="grant.created" checked=""/)
    const noEvents = await browser.post('/webhooks', [
      ['_csrf', token],
      ['url', `${receiver.url}/x`],
    ])
    expect(noEvents.status).toBe(400)
    expect(await noEvents.text()).toContain('fieldset class="checks" aria-invalid="true"')
    expect((await bill.admin.webhooks.list()).data).toEqual([])
  })

  it('creates an endpoint and shows its secret once', async () => {
    const token = await browser.formToken('/webhooks')
    const response = await browser.post('/webhooks', [
      ['_csrf', token],
      ['url', `${receiver.url}/dashboard`],
      ['events', 'grant.created'],
      ['events', 'preflight.blocked'],
      ['thresholds', '90, 50'],
      ['description', '<img src=x onerror=alert(1)>'],
    ])
    expect(response.status).toBe(201)
    const html = await response.text()
    secret = /(whsec_[A-Za-z0-9_-]{43})/.exec(html)?.[1] ?? ''
    expect(secret).not.toBe('')
    const [endpoint] = (await bill.admin.webhooks.list()).data
    expect(endpoint).toMatchObject({
      url: `${receiver.url}/dashboard`,
      events: ['grant.created', 'preflight.blocked'],
      thresholds: [50, 90],
      description: '<img src=x onerror=alert(1)>',
    })
    endpointId = endpoint?.id ?? ''
    const again = await (await browser.fetch('/webhooks')).text()
    expect(again).not.toContain(secret)
    expect(again).toContain(`${receiver.url}/dashboard`)
    expect(again).toContain('50%, 90%')
    expect(again).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(again).not.toContain('<img src=x')
  })

  it('shows the delivery log with status, attempts and response code, and resends', async () => {
    receiver.answer = () => 500
    await bill.admin.grants.create('<b>bold</b>', { units: 7 })
    await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 10_000 })
    await server.server.webhooks?.drain()
    const page = await browser.fetch(`/webhook?id=${endpointId}`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe(DASHBOARD_CSP)
    const html = await page.text()
    expect(html).toContain('grant.created')
    expect(html).toContain('<span class="badge badge-warn">pending</span>')
    expect(html).toContain('1 / 10')
    expect(html).toContain('HTTP 500')
    // The event's data is shown as text: the customer id's markup is escaped.
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;')
    expect(html).not.toContain('<b>bold</b>')
    const deliveryId = /data-delivery-id="(whdel_[^"]+)"/.exec(html)?.[1] ?? ''
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''
    receiver.answer = () => 204
    const forged = await browser.post(
      '/webhooks/resend',
      [
        ['_csrf', token],
        ['id', endpointId],
        ['delivery_id', deliveryId],
      ],
      { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
    )
    expect(forged.status).toBe(403)
    const resend = await browser.post('/webhooks/resend', [
      ['_csrf', token],
      ['id', endpointId],
      ['delivery_id', deliveryId],
    ])
    expect(resend.status).toBe(303)
    expect(resend.headers.get('location')).toBe(`/webhook?id=${endpointId}&resent=1`)
    await vi.waitFor(() => expect(receiver.received).toHaveLength(2), { timeout: 10_000 })
    await server.server.webhooks?.drain()
    const after = await (await browser.fetch(`/webhook?id=${endpointId}&status=succeeded`)).text()
    expect(after).toContain('<span class="badge badge-ok">succeeded</span>')
    expect(after).toContain('2 / 10')
    expect(await (await browser.fetch(`/webhook?id=${endpointId}&status=failed`)).text()).toContain(
      'No delivery yet.',
    )
    const unknown = await browser.post('/webhooks/resend', [
      ['_csrf', token],
      ['id', endpointId],
      ['delivery_id', 'whdel_nope'],
    ])
    expect(unknown.status).toBe(404)
    expect(await unknown.text()).toContain('No such delivery of this endpoint')
  })

  it('deletes an endpoint; its log stays readable, without resend', async () => {
    const token = await browser.formToken('/webhooks')
    const response = await browser.post('/webhooks/delete', [
      ['_csrf', token],
      ['id', endpointId],
    ])
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/webhooks?deleted=1')
    const list = await (await browser.fetch('/webhooks?deleted=1')).text()
    expect(list).toContain('Endpoint deleted.')
    expect(list).toContain('No endpoint yet.')
    const log = await (await browser.fetch(`/webhook?id=${endpointId}`)).text()
    expect(log).toContain('deleted')
    expect(log).not.toContain('action="/webhooks/resend"')
    expect((await browser.fetch('/webhook?id=whe_nope')).status).toBe(404)
  })
})
