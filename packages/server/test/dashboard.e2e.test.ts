import { existsSync, mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { AgentBill, AgentBillAPIError } from 'agentbill'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startTestServer, type TestServer } from '../src/testing.js'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js'

// The dashboard in a real headless Chromium (Debian's package, driven by playwright-core; no
// browser is downloaded), against a real server over HTTP with a clock the test moves (so usage
// spreads over days without waiting). The steps run in order and build on each other: sign up,
// sign in, usage, limits, grants, keys, screenshots, hostile input, a forged post.
const CHROMIUM = '/usr/bin/chromium'
const screenshots = fileURLToPath(new URL('../test-results/dashboard/', import.meta.url))
const day = 86_400_000
const today = Date.UTC(2026, 2, 10, 15, 0, 0)
let now = today

let server: TestServer
let receiver: WebhookReceiver
let webhookPath = '/webhooks'
let browser: Browser
let context: BrowserContext
let page: Page
let adminKey: string
let bill: AgentBill
const dialogs: string[] = []
const problems: string[] = []

function watch(target: Page): Page {
  target.setDefaultTimeout(15_000)
  target.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  // Any CSP violation or script error is a failure of the page, whatever the test checks.
  // (Chromium also logs each 4xx page load as an error: the refusals these tests provoke.)
  target.on('console', (message) => {
    const text = message.text()
    if (message.type() === 'error' && !/status of 4\d\d/.test(text)) problems.push(text)
  })
  target.on('pageerror', (error) => problems.push(error.message))
  return target
}

async function newContext(): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 1280, height: 860 },
    permissions: ['clipboard-read', 'clipboard-write'],
  })
}

const card = (target: Page, label: string) => target.locator(`[data-card="${label}"] .value`)

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`)
  }
  mkdirSync(screenshots, { recursive: true })
  server = await startTestServer({
    clock: () => now,
    allowPrivateWebhookTargets: true,
    webhooks: { pollIntervalMs: 20 },
  })
  receiver = await startWebhookReceiver()
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  context = await newContext()
  page = watch(await context.newPage())
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await receiver?.close()
})

describe('the dashboard in Chromium', () => {
  it('signs up: the admin key is shown once, with a copy button, and the browser is signed in', async () => {
    await page.goto(`${server.url}/`)
    await page.waitForURL(`${server.url}/sign-in`)
    await page.getByRole('link', { name: 'Create one' }).click()
    await page.getByLabel('Project name').fill('Acme AI')
    await page.getByRole('button', { name: 'Create project' }).click()
    const shown = page.locator('#new-admin-key')
    adminKey = (await shown.textContent()) ?? ''
    expect(adminKey).toMatch(/^agb_[0-9A-Za-z]{32}$/)
    await page.getByRole('button', { name: 'Copy the admin key' }).click()
    await page.locator('[data-copy="new-admin-key"]', { hasText: 'Copied' }).waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(adminKey)
    await page.screenshot({ path: `${screenshots}sign-up-key.png` })

    await page.getByRole('link', { name: /open the dashboard/ }).click()
    await page.waitForURL(`${server.url}/`)
    await expect(page.locator('.project-name').textContent()).resolves.toBe('Acme AI')
    await page.goto(`${server.url}/keys`)
    // Shown once: the key list has its prefix and last four, never the secret.
    expect(await page.content()).not.toContain(adminKey)
    await page.getByText(`${adminKey.slice(0, 8)}…${adminKey.slice(-4)}`).waitFor()
    bill = new AgentBill({ apiKey: adminKey, baseUrl: server.url, maxRetries: 0 })
  })

  it('signs in with the admin key to an HttpOnly, SameSite=Strict cookie, and signs out', async () => {
    const fresh = await newContext()
    const other = watch(await fresh.newPage())
    await other.goto(`${server.url}/customers`)
    await other.waitForURL(/\/sign-in\?next=/)
    await other.getByLabel('Admin key').fill('agb_not_a_key')
    await other.getByRole('button', { name: 'Sign in' }).click()
    await other.getByText('Unknown or revoked key.').waitFor()
    await other.getByLabel('Admin key').fill(adminKey)
    await other.getByRole('button', { name: 'Sign in' }).click()
    await other.waitForURL(`${server.url}/customers`)
    const [session] = (await fresh.cookies()).filter(
      (cookie) => cookie.name === 'agentbill_session',
    )
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' })
    expect(await other.evaluate(() => document.cookie)).not.toContain('agentbill_session')
    await other.getByRole('button', { name: 'Sign out' }).click()
    await other.waitForURL(`${server.url}/sign-in?signed_out=1`)
    await other.goto(`${server.url}/`)
    await other.waitForURL(`${server.url}/sign-in`)
    await fresh.close()
  })

  it('shows usage once the agentbill client records it, and refreshes on its own', async () => {
    await page.goto(`${server.url}/`)
    await page.getByText('Nothing recorded in this range yet.').waitFor()
    expect(await card(page, 'Units used').textContent()).toBe('0')

    const agents = ['researcher', 'support-bot', 'summarizer', 'planner']
    const customers = ['acme-corp', 'globex', 'initech', 'umbrella', 'hooli']
    let total = 0
    for (let offset = 13; offset >= 0; offset--) {
      now = today - offset * day
      for (let index = 0; index < 6 + (offset % 4); index++) {
        const agentId = agents[(index + offset) % agents.length] as string
        const customerId = customers[(index * 3 + offset) % customers.length] as string
        const units = 4 + ((index * 7 + offset * 5) % 17) + (agentId === 'researcher' ? 9 : 0)
        const check = await bill.preflight({
          agentId,
          customerId,
          estimatedUnits: units,
          ceiling: 60,
          runId: `run-${offset}-${index % 3}`,
          reserve: true,
        })
        if (!check.approved) continue
        await bill.record({
          agentId,
          customerId,
          units,
          reservationId: check.reservationId ?? undefined,
          runId: `run-${offset}-${index % 3}`,
        })
        total += units
      }
      // Some preflights blocked every day: a run past its ceiling, a customer out of budget.
      await bill.preflight({
        agentId: 'planner',
        customerId: 'globex',
        estimatedUnits: 80,
        ceiling: 50,
      })
      if (offset % 2 === 0) {
        await bill.preflight({
          agentId: 'researcher',
          customerId: 'acme-corp',
          estimatedUnits: 5000,
        })
      }
    }
    now = today
    await page.reload()
    await card(page, 'Units used').getByText(total.toLocaleString('en-US')).waitFor()
    await page
      .getByRole('region', { name: 'Top agents' })
      .getByRole('link', { name: 'researcher' })
      .waitFor()
    await page
      .getByRole('region', { name: 'Top customers' })
      .getByRole('link', { name: 'acme-corp' })
      .waitFor()

    // Left open, the page picks up new usage by itself (the timer is the browser's, moved here).
    const live = watch(await context.newPage())
    await live.clock.install()
    await live.goto(`${server.url}/`)
    await bill.record({ agentId: 'planner', customerId: 'hooli', units: 25 })
    await live.clock.runFor(31_000)
    await card(live, 'Units used')
      .getByText((total + 25).toLocaleString('en-US'))
      .waitFor()
    await live.close()
  })

  it('sets a limit on a customer, and the next preflight is blocked', async () => {
    await page.goto(`${server.url}/customers`)
    await page.getByLabel('Search customer ids').fill('ini')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByRole('link', { name: 'initech' }).click()
    await page.waitForURL(/\/customer\?id=initech/)
    await page.getByLabel(/^Limit/).fill('12.5')
    await page.getByRole('button', { name: 'Save budget' }).click()
    await page.getByText('must be a non-negative integer').first().waitFor()
    await page.getByLabel(/^Limit/).fill('5')
    await page.getByRole('button', { name: 'Save budget' }).click()
    await page.getByText('Budget saved.').waitFor()
    const blocked = await bill.preflight({
      agentId: 'support-bot',
      customerId: 'initech',
      estimatedUnits: 10,
    })
    expect(blocked).toMatchObject({ approved: false, reason: 'budget_exhausted' })
    await page.goto(`${server.url}/decisions?customer_id=initech`)
    await page
      .locator(`[data-decision-id="${blocked.preflightId}"]`)
      .getByText('Budget exhausted')
      .waitFor()
  })

  it('adds a grant, and the same preflight is approved', async () => {
    await page.goto(`${server.url}/customer?id=initech`)
    const before = await bill.balance('initech')
    await page.getByRole('textbox', { name: 'Units', exact: true }).fill('500')
    await page.getByLabel(/^Reason/).fill('Bought the 500 pack')
    await page.getByRole('button', { name: 'Add grant' }).click()
    await page.getByText('Grant added.').waitFor()
    const after = await bill.balance('initech')
    expect(after.grantedUnits).toBe(before.grantedUnits + 500)
    await page
      .locator('.balance-figures')
      .getByText((after.remainingUnits ?? 0).toLocaleString('en-US'))
      .first()
      .waitFor()
    const approved = await bill.preflight({
      agentId: 'support-bot',
      customerId: 'initech',
      estimatedUnits: 10,
    })
    expect(approved.approved).toBe(true)
  })

  it('creates a runtime key shown once, and revokes it at once', async () => {
    await page.goto(`${server.url}/keys`)
    await page.getByLabel('Name').fill('ci agents')
    await page.getByRole('button', { name: 'Create key' }).click()
    const secret = (await page.locator('#new-key-value').textContent()) ?? ''
    expect(secret).toMatch(/^agb_/)
    const agent = new AgentBill({ apiKey: secret, baseUrl: server.url, maxRetries: 0 })
    expect((await agent.preflight({ agentId: 'ci', customerId: 'ci-customer' })).approved).toBe(
      true,
    )

    await page.goto(`${server.url}/keys`)
    expect(await page.content()).not.toContain(secret)
    const row = page.locator('tr', { hasText: 'ci agents' })
    await row.getByText('Revoke…').click()
    await row.getByRole('button', { name: 'Revoke now' }).click()
    await page.getByText('Key revoked.').waitFor()
    await page
      .locator('tr', { hasText: 'ci agents' })
      .getByText(/^Revoked/)
      .waitFor()
    const refused = await agent
      .preflight({ agentId: 'ci', customerId: 'ci-customer' })
      .catch((error) => error)
    expect(AgentBillAPIError.isInstance(refused)).toBe(true)
    expect((refused as AgentBillAPIError).status).toBe(401)
  })

  it('adds a webhook endpoint (its secret shown once), shows its delivery log, and resends', async () => {
    receiver.answer = () => 500
    await page.goto(`${server.url}/webhooks`)
    await page.getByLabel('URL').fill(`${receiver.url}/e2e`)
    await page.getByLabel('All events').uncheck()
    await page.getByLabel('grant.created').check()
    await page.getByLabel('preflight.blocked').check()
    await page.getByRole('button', { name: 'Add endpoint' }).click()
    const secret = (await page.locator('#new-secret-value').textContent()) ?? ''
    expect(secret).toMatch(/^whsec_/)
    await bill.admin.grants.create('acme-corp', { units: 1, reason: 'e2e' })
    await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 10_000 })
    await server.server.webhooks?.drain()

    await page.goto(`${server.url}/webhooks`)
    expect(await page.content()).not.toContain(secret)
    await page.getByRole('link', { name: 'Delivery log' }).click()
    await page.getByText('HTTP 500').last().waitFor()
    webhookPath = new URL(page.url()).pathname + new URL(page.url()).search
    receiver.answer = () => 204
    await page.getByRole('button', { name: 'Resend' }).click()
    await page.getByText('Queued: the delivery is attempted again now.').waitFor()
    await vi.waitFor(() => expect(receiver.received).toHaveLength(2), { timeout: 10_000 })
    await server.server.webhooks?.drain()
    await page.reload()
    await page.getByText('succeeded', { exact: true }).first().waitFor()
    await page.getByText(/· details$/).click()
    await page.locator('details.attempts pre.code').waitFor()
  })

  it('saves screenshots of the main pages, and every page fits a phone-width screen', async () => {
    await bill.admin.project.update({ upgradeUrl: 'https://acme.example/upgrade?c={customer_id}' })
    const pages: [string, string][] = [
      ['overview', '/'],
      ['customers', '/customers'],
      ['customer', '/customer?id=acme-corp'],
      ['agents', '/agents'],
      ['agent', '/agent?id=researcher'],
      ['run', '/run?id=run-0-0'],
      ['events', '/events'],
      ['blocked', '/decisions'],
      ['keys', '/keys'],
      ['webhooks', '/webhooks'],
      ['webhook', webhookPath],
      ['settings', '/settings'],
      ['quick-start', '/quick-start'],
    ]
    for (const [name, path] of pages) {
      await page.goto(`${server.url}${path}`)
      await page.screenshot({ path: `${screenshots}${name}.png`, fullPage: name !== 'overview' })
    }
    const phoneContext = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    })
    await phoneContext.addCookies(
      (await context.cookies()).filter((cookie) => cookie.name === 'agentbill_session'),
    )
    const phone = watch(await phoneContext.newPage())
    for (const [name, path] of pages) {
      await phone.goto(`${server.url}${path}`)
      const overflow = await phone.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      )
      expect(overflow, `${path} is wider than the phone`).toBeLessThanOrEqual(0)
      if (name === 'overview' || name === 'customer' || name === 'run') {
        await phone.screenshot({ path: `${screenshots}phone-${name}.png`, fullPage: true })
      }
    }
    await phoneContext.close()
  })

  it('renders a hostile agent_id, customer_id and metadata as text; no script runs', async () => {
    const hostile = '<img src=x onerror=alert(1)>'
    const customer = '"><svg onload=alert(2)>'
    await bill.record({
      agentId: hostile,
      customerId: customer,
      runId: '<script>alert(3)</script>',
      units: 7,
      metadata: { note: '<iframe src=javascript:alert(4)>' },
    })
    await bill.preflight({ agentId: hostile, customerId: customer, estimatedUnits: 99_999 })
    const paths = [
      '/',
      '/agents',
      '/events',
      '/decisions',
      '/customers',
      `/agent?id=${encodeURIComponent(hostile)}`,
      `/customer?id=${encodeURIComponent(customer)}`,
      `/run?id=${encodeURIComponent('<script>alert(3)</script>')}`,
    ]
    for (const path of paths) {
      await page.goto(`${server.url}${path}`)
      await page
        .getByText(path.startsWith('/customer') ? customer : hostile, { exact: true })
        .filter({ visible: true })
        .first()
        .waitFor()
      expect(
        await page.locator('img[src="x"], svg[onload], iframe, script:not([src])').count(),
        path,
      ).toBe(0)
    }
    await page.goto(`${server.url}/events`)
    await page
      .getByText('<iframe src=javascript:alert(4)>', { exact: false })
      .filter({ visible: true })
      .first()
      .waitFor()
    expect(dialogs).toEqual([])
  })

  it('refuses a form posted from another site (and from a same-site page on another port)', async () => {
    const attacker: Server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html')
      response.end(
        `<form method="post" action="${server.url}/keys">` +
          '<input name="name" value="pwned"><input name="scope" value="admin">' +
          '<input name="_csrf" value="guessed"></form>' +
          '<script>document.forms[0].submit()</script>',
      )
    })
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
    const port = (attacker.address() as AddressInfo).port
    try {
      // localhost is another site than 127.0.0.1 (the cookie stays home); 127.0.0.1 on another
      // port is the same site, so the SameSite=Strict cookie goes along and only the origin
      // check and the form token stand in the way (each alone is tested in dashboard-http).
      for (const attackerOrigin of [`http://localhost:${port}`, `http://127.0.0.1:${port}`]) {
        const response = page.waitForResponse(
          (answer) => answer.url() === `${server.url}/keys` && answer.request().method() === 'POST',
        )
        await page.goto(`${attackerOrigin}/`)
        expect((await response).status()).toBe(403)
        await page.getByText('did not come from this dashboard').waitFor()
      }
    } finally {
      await new Promise((resolve) => attacker.close(resolve))
    }
    const keys = await bill.admin.keys.list()
    expect(keys.data.map((key) => key.name)).not.toContain('pwned')
    // The forged posts changed nothing, and the session still works.
    await page.goto(`${server.url}/keys`)
    await page.getByRole('heading', { name: 'API keys' }).waitFor()
  })

  it('saw no script error and no CSP violation on any page', () => {
    expect(problems).toEqual([])
  })
})
