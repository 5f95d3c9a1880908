import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DashboardOptions } from '../src/dashboard/register-dashboard.js'
import { DASHBOARD_CSP } from '../src/dashboard/security-headers.js'
import { type App, createApp } from '../src/http/create-app.js'
import { createProject } from '../src/ledger/ledger.js'
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite-store.js'

// The dashboard's security properties, through the app's fetch handler (in process, a real
// SQLite store): cookies, CSRF, the CSP, sessions that end with their key, escaping, limits.
// The browser-level flows are in dashboard.e2e.test.ts.
const origin = 'http://dash.test'
let now = Date.UTC(2026, 5, 1, 12)
let store: SqliteStore
let app: App
let adminKey: string

function build(dashboard: DashboardOptions = {}): void {
  app = createApp({ store, clock: () => now, dashboard })
}

beforeEach(async () => {
  now = Date.UTC(2026, 5, 1, 12)
  store = openSqliteStore({ path: ':memory:' })
  const created = await store.transaction((tx) =>
    createProject(tx, { project_name: 'Dash <b>test</b>' }, now),
  )
  adminKey = created.key
  build()
})
afterEach(() => store.close())

/** A browser's cookie jar, reduced to what these tests need. */
class Browser {
  cookies = new Map<string, string>()
  headers: Record<string, string> = {}

  async fetch(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await app.fetch(
      new Request(`${origin}${path}`, {
        ...init,
        redirect: 'manual',
        headers: { ...this.headers, ...(cookie === '' ? {} : { cookie }), ...init.headers },
      }),
    )
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const [name, ...value] = (pair ?? '').split('=')
      if (name === undefined) continue
      if (/max-age=0/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value.join('='))
    }
    return response
  }

  /** The `_csrf` value of the first form of a page. */
  async formToken(path: string): Promise<string> {
    const html = await (await this.fetch(path)).text()
    const match = /name="_csrf" value="([^"]+)"/.exec(html)
    if (match === null) throw new Error(`no form token on ${path}`)
    return match[1] as string
  }

  post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.fetch(path, {
      method: 'POST',
      body: new URLSearchParams(fields).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin,
        'sec-fetch-site': 'same-origin',
        ...headers,
      },
    })
  }

  async signIn(key = adminKey): Promise<Response> {
    const token = await this.formToken('/sign-in')
    return this.post('/sign-in', { _csrf: token, key, next: '/' })
  }
}

async function api(path: string, init: RequestInit = {}) {
  const response = await app.fetch(
    new Request(`${origin}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${adminKey}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string>),
      },
    }),
  )
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const keyCount = async () => ((await api('/v1/keys')).body.data as unknown[]).length

describe('pages and headers', () => {
  it('sends a signed-out browser to sign in, with the strict CSP on every page', async () => {
    const browser = new Browser()
    const response = await browser.fetch('/')
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/sign-in')
    const signIn = await browser.fetch('/sign-in')
    expect(signIn.status).toBe(200)
    for (const headers of [response.headers, signIn.headers]) {
      expect(headers.get('content-security-policy')).toBe(DASHBOARD_CSP)
      expect(headers.get('x-frame-options')).toBe('DENY')
      expect(headers.get('x-content-type-options')).toBe('nosniff')
      expect(headers.get('referrer-policy')).toBe('same-origin')
      expect(headers.get('cache-control')).toBe('no-store')
      expect(headers.get('x-request-id')).toMatch(/^req_/)
    }
    expect(DASHBOARD_CSP).toContain("script-src 'self'")
    expect(DASHBOARD_CSP).not.toContain('unsafe')
    const html = await signIn.text()
    expect(html).not.toMatch(/<script>|<style|style="| on[a-z]+="/)
    expect((await browser.fetch('/customers?search=a')).headers.get('location')).toBe(
      '/sign-in?next=%2Fcustomers%3Fsearch%3Da',
    )
  })

  it('reloads once from this origin after a link from another site (the strict cookie is sent then)', async () => {
    const response = await new Browser().fetch('/agents', {
      headers: { 'sec-fetch-site': 'cross-site' },
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('<meta http-equiv="refresh" content="0"/>')
  })

  it('serves its script, stylesheet and icon itself, content-addressed and cached for a year', async () => {
    const html = await (await new Browser().fetch('/sign-in')).text()
    const paths = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+|\/favicon\.svg)"/g)].map(
      (match) => match[1] as string,
    )
    expect(paths).toHaveLength(3)
    for (const path of paths) {
      const response = await app.fetch(new Request(`${origin}${path}`))
      expect(response.status, path).toBe(200)
      if (path.startsWith('/assets/')) {
        expect(response.headers.get('cache-control')).toContain('immutable')
      }
    }
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/)
  })

  it('can be turned off, leaving the API alone', async () => {
    build()
    app = createApp({ store, clock: () => now, dashboard: false })
    expect((await app.fetch(new Request(`${origin}/`))).status).toBe(404)
    expect((await api('/v1/project')).status).toBe(200)
  })
})

describe('sign in and sessions', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie; Secure (and __Host-) over HTTPS', async () => {
    const browser = new Browser()
    const response = await browser.signIn()
    expect(response.status).toBe(303)
    const cookie = response.headers
      .getSetCookie()
      .find((line) => line.startsWith('agentbill_session='))
    expect(cookie).toMatch(/; HttpOnly/)
    expect(cookie).toMatch(/; SameSite=Strict/)
    expect(cookie).toMatch(/; Path=\//)
    expect(cookie).not.toMatch(/Secure/)
    expect((await browser.fetch('/')).status).toBe(200)

    const secure = new Browser()
    secure.headers['x-forwarded-proto'] = 'https'
    const token = await secure.formToken('/sign-in')
    const answer = await secure.post(
      '/sign-in',
      { _csrf: token, key: adminKey },
      { origin: 'https://dash.test' },
    )
    const secureCookie = answer.headers
      .getSetCookie()
      .find((line) => line.startsWith('__Host-agentbill_session='))
    expect(secureCookie).toMatch(/; Secure/)
    expect(secureCookie).toMatch(/; HttpOnly/)
    expect(secureCookie).toMatch(/; SameSite=Strict/)
  })

  it('refuses a runtime key, an unknown key and a revoked key', async () => {
    const runtime = (
      await api('/v1/keys', {
        method: 'POST',
        body: JSON.stringify({ name: 'rt', scope: 'runtime' }),
      })
    ).body.key as string
    const browser = new Browser()
    const token = await browser.formToken('/sign-in')
    const asRuntime = await browser.post('/sign-in', { _csrf: token, key: runtime })
    expect(asRuntime.status).toBe(403)
    expect(await asRuntime.text()).toContain('That is a runtime key')
    const unknown = await browser.post('/sign-in', { _csrf: token, key: 'agb_nope' })
    expect(unknown.status).toBe(401)
    expect(browser.cookies.has('agentbill_session')).toBe(false)
  })

  it('limits sign-in attempts per client address (429 with Retry-After), then lets them in again', async () => {
    build({ signInRateLimit: { max: 3, windowSeconds: 60 } })
    const browser = new Browser()
    const token = await browser.formToken('/sign-in')
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await browser.post('/sign-in', { _csrf: token, key: 'agb_wrong' })).status).toBe(401)
    }
    const limited = await browser.post('/sign-in', { _csrf: token, key: adminKey })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(browser.cookies.has('agentbill_session')).toBe(false)
    now += 61_000
    expect((await browser.post('/sign-in', { _csrf: token, key: adminKey })).status).toBe(303)
  })

  it("signs up through POST /v1/register, counted against the browser's address, not the server's", async () => {
    app = createApp({
      store,
      clock: () => now,
      registerRateLimit: { max: 1, windowSeconds: 60 },
      clientAddress: (request) => request.headers.get('x-test-address') ?? 'no address',
    })
    for (const address of ['10.0.0.1', '10.0.0.2']) {
      const browser = new Browser()
      browser.headers['x-test-address'] = address
      const token = await browser.formToken('/sign-up')
      const response = await browser.post('/sign-up', {
        _csrf: token,
        project_name: `P ${address}`,
      })
      expect(response.status, address).toBe(201)
      const html = await response.text()
      expect(html).toMatch(/id="new-admin-key">agb_[0-9A-Za-z]{32}</)
      expect(browser.cookies.has('agentbill_session')).toBe(true)
      expect(await (await browser.fetch('/')).text()).toContain(`P ${address}`)
    }
    const again = new Browser()
    again.headers['x-test-address'] = '10.0.0.1'
    const token = await again.formToken('/sign-up')
    const limited = await again.post('/sign-up', { _csrf: token, project_name: 'third' })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('ends the session at once when its key is revoked, on the pages and on the API', async () => {
    const browser = new Browser()
    await browser.signIn()
    const session = browser.cookies.get('agentbill_session') as string
    const viaSession = () =>
      app.fetch(
        new Request(`${origin}/v1/project`, { headers: { authorization: `Bearer ${session}` } }),
      )
    expect((await viaSession()).status).toBe(200)
    const keys = (await api('/v1/keys')).body.data as { id: string }[]
    await api(`/v1/keys/${keys[0]?.id}`, { method: 'DELETE' })
    expect((await viaSession()).status).toBe(401)
    const page = await browser.fetch('/')
    expect(page.status).toBe(303)
    expect(page.headers.get('location')).toBe('/sign-in')
    expect(browser.cookies.has('agentbill_session')).toBe(false)
  })

  it('ends the session on sign-out and after its lifetime', async () => {
    build({ sessionTtlSeconds: 3600 })
    const browser = new Browser()
    await browser.signIn()
    const csrf = await browser.formToken('/')
    const out = await browser.post('/sign-out', { _csrf: csrf })
    expect(out.headers.get('location')).toBe('/sign-in?signed_out=1')
    expect(browser.cookies.has('agentbill_session')).toBe(false)

    const other = new Browser()
    await other.signIn()
    const session = other.cookies.get('agentbill_session') as string
    now += 3600_000
    expect((await other.fetch('/')).status).toBe(303)
    const expired = await app.fetch(
      new Request(`${origin}/v1/project`, { headers: { authorization: `Bearer ${session}` } }),
    )
    expect(expired.status).toBe(401)
  })

  it('returns to the page asked for, and only to a path of this site', async () => {
    const browser = new Browser()
    const token = await browser.formToken('/sign-in')
    const next = await browser.post('/sign-in', { _csrf: token, key: adminKey, next: '/keys?x=1' })
    expect(next.headers.get('location')).toBe('/keys?x=1')
    const again = new Browser()
    const token2 = await again.formToken('/sign-in')
    for (const evil of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const response = await again.post('/sign-in', { _csrf: token2, key: adminKey, next: evil })
      expect(response.headers.get('location'), evil).toBe('/')
    }
  })
})

describe('CSRF', () => {
  it('refuses a state change without the form token, with a wrong one, or from another origin', async () => {
    const browser = new Browser()
    await browser.signIn()
    const csrf = await browser.formToken('/keys')
    const before = await keyCount()
    const attempts: [Record<string, string>, Record<string, string>][] = [
      [{ name: 'no token', scope: 'admin' }, {}],
      [{ name: 'wrong', scope: 'admin', _csrf: `${csrf.slice(0, -2)}xx` }, {}],
      [
        { name: 'cross origin', scope: 'admin', _csrf: csrf },
        { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      ],
      [
        { name: 'same site', scope: 'admin', _csrf: csrf },
        { origin: 'http://dash.test:8080', 'sec-fetch-site': 'same-site' },
      ],
      [
        { name: 'origin only', scope: 'admin', _csrf: csrf },
        { origin: 'http://evil.example', 'sec-fetch-site': '' },
      ],
    ]
    for (const [fields, headers] of attempts) {
      const clean = Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ''))
      const response = await browser.fetch('/keys', {
        method: 'POST',
        body: new URLSearchParams(fields).toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin,
          'sec-fetch-site': 'same-origin',
          ...clean,
          ...(headers['sec-fetch-site'] === '' ? { 'sec-fetch-site': 'same-origin' } : {}),
        },
      })
      expect(response.status, fields.name).toBe(403)
      expect(await response.text()).toContain('did not come from this dashboard')
    }
    expect(await keyCount()).toBe(before)
    const good = await browser.post('/keys', { name: 'real', scope: 'runtime', _csrf: csrf })
    expect(good.status).toBe(201)
    expect(await keyCount()).toBe(before + 1)
  })

  it("ties the form token to the session: another session's token is refused", async () => {
    const first = new Browser()
    await first.signIn()
    const second = new Browser()
    await second.signIn()
    const csrfOfSecond = await second.formToken('/keys')
    const response = await first.post('/keys', { name: 'x', _csrf: csrfOfSecond })
    expect(response.status).toBe(403)
  })

  it('protects the signed-out forms with a double-submit token', async () => {
    const browser = new Browser()
    await browser.formToken('/sign-in')
    const response = await browser.post('/sign-up', { _csrf: 'guess', project_name: 'x' })
    expect(response.status).toBe(403)
    const noCookie = new Browser()
    expect((await noCookie.post('/sign-in', { _csrf: 'a'.repeat(32), key: adminKey })).status).toBe(
      403,
    )
  })

  it('refuses other content types and oversized forms', async () => {
    const browser = new Browser()
    await browser.signIn()
    const csrf = await browser.formToken('/keys')
    const json = await browser.fetch('/keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'x', _csrf: csrf }),
      headers: { 'content-type': 'application/json', origin, 'sec-fetch-site': 'same-origin' },
    })
    expect(json.status).toBe(415)
    const big = await browser.post('/keys', { name: 'x'.repeat(70_000), _csrf: csrf })
    expect(big.status).toBe(413)
  })
})

describe('escaping and exports', () => {
  it('renders hostile ids and metadata as text on every page that shows them', async () => {
    const hostile = '<img src=x onerror=alert(1)>'
    const customer = '"><script>alert(2)</script>'
    await api('/v1/record', {
      method: 'POST',
      body: JSON.stringify({
        agent_id: hostile,
        customer_id: customer,
        run_id: '</title><svg onload=alert(3)>',
        units: 4,
        metadata: { note: '<b>bold</b>' },
      }),
    })
    await api('/v1/preflight', {
      method: 'POST',
      body: JSON.stringify({ agent_id: hostile, customer_id: customer, estimated_units: 5000 }),
    })
    const browser = new Browser()
    await browser.signIn()
    const pages = [
      '/',
      '/agents',
      '/events',
      '/decisions',
      '/customers',
      `/customer?id=${encodeURIComponent(customer)}`,
      `/agent?id=${encodeURIComponent(hostile)}`,
      `/run?id=${encodeURIComponent('</title><svg onload=alert(3)>')}`,
    ]
    for (const path of pages) {
      const response = await browser.fetch(path)
      expect(response.status, path).toBe(200)
      const html = await response.text()
      expect(html, path).not.toContain('<img src=x')
      expect(html, path).not.toContain('<script>alert')
      expect(html, path).not.toContain('<svg onload')
      expect(html, path).not.toContain('<b>')
    }
    const overview = await (await browser.fetch('/')).text()
    expect(overview).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(overview).toContain('Dash &lt;b&gt;test&lt;/b&gt;')
  })

  it('exports events and blocked decisions as CSV, quoted, formulas defused, filters applied', async () => {
    for (const agent of ['=HYPERLINK("http://evil")', 'plain, "quoted"']) {
      await api('/v1/record', {
        method: 'POST',
        body: JSON.stringify({ agent_id: agent, customer_id: 'csv', units: 2 }),
      })
    }
    await api('/v1/record', {
      method: 'POST',
      body: JSON.stringify({ agent_id: 'other', customer_id: 'not-csv', units: 9 }),
    })
    await api('/v1/preflight', {
      method: 'POST',
      body: JSON.stringify({ agent_id: 'big', customer_id: 'csv', estimated_units: 99_999 }),
    })
    const browser = new Browser()
    await browser.signIn()
    const events = await browser.fetch('/events.csv?customer_id=csv')
    expect(events.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(events.headers.get('content-disposition')).toBe(
      'attachment; filename="agentbill-events-2026-06-01.csv"',
    )
    const text = await events.text()
    const lines = text
      .replace(/^\ufeff/, '')
      .trimEnd()
      .split('\r\n')
    expect(lines[0]).toBe(
      '"id","created_at","customer_id","agent_id","run_id","units","idempotency_key","reservation_id","metadata"',
    )
    expect(lines).toHaveLength(3)
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")"`)
    expect(text).toContain('"plain, ""quoted"""')
    expect(text).not.toContain('not-csv')
    const decisions = await (await browser.fetch('/decisions.csv')).text()
    expect(decisions).toContain('"budget_exhausted","csv","big",,99999')
    expect((await browser.fetch('/events.csv?from=2026-13-01')).status).toBe(400)
  })

  it('streams an export across many API pages', async () => {
    const records = Array.from({ length: 450 }, (_, index) =>
      api('/v1/record', {
        method: 'POST',
        body: JSON.stringify({
          agent_id: 'bulk',
          customer_id: 'bulk',
          units: 1,
          idempotency_key: `k${index}`,
        }),
      }),
    )
    await Promise.all(records)
    const browser = new Browser()
    await browser.signIn()
    const text = await (await browser.fetch('/events.csv?agent_id=bulk')).text()
    const ids = text
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[0])
    expect(ids).toHaveLength(450)
    expect(new Set(ids).size).toBe(450)
  })
})
