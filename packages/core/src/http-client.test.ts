import { delay, HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { BASE_URL } from './__fixtures__/wire'
import { resolveAgentBillOptions } from './agent-bill-options'
import { AgentBillAPIError } from './errors/agent-bill-api-error'
import { AgentBillConnectionError } from './errors/agent-bill-connection-error'
import { AgentBillTimeoutError } from './errors/agent-bill-timeout-error'
import { HttpClient } from './http-client'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

function client(overrides: { maxRetries?: number; timeoutMs?: number } = {}) {
  return new HttpClient(
    resolveAgentBillOptions({ apiKey: 'agb_test', baseUrl: BASE_URL, ...overrides }),
  )
}

/** Answers `status` (with `Retry-After: 0`, so retries do not wait) `failures` times, then 200. */
function failThenSucceed(status: number, failures: number) {
  const attempts: Request[] = []
  server.use(
    http.get(`${BASE_URL}/v1/thing`, ({ request }) => {
      attempts.push(request)
      if (attempts.length <= failures) {
        return HttpResponse.json(
          { error: { type: 'x', message: `failure ${attempts.length}`, param: null } },
          { status, headers: { 'retry-after': '0', 'x-request-id': `req_${attempts.length}` } },
        )
      }
      return HttpResponse.json({ ok: true })
    }),
  )
  return attempts
}

describe('HttpClient retries', () => {
  it.each([408, 409, 429, 500, 502, 503, 504])(
    'retries %i and succeeds on the next attempt',
    async (status) => {
      const attempts = failThenSucceed(status, 2)
      await expect(client().send({ method: 'GET', path: '/v1/thing' })).resolves.toEqual({
        ok: true,
      })
      expect(attempts).toHaveLength(3)
    },
  )

  it.each([400, 401, 403, 404, 413, 415, 422])('never retries %i', async (status) => {
    const attempts = failThenSucceed(status, 5)
    const error = await client()
      .send({ method: 'GET', path: '/v1/thing' })
      .catch((caught: unknown) => caught)
    expect(AgentBillAPIError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({
      status,
      message: expect.stringContaining('failure 1'),
      requestId: 'req_1',
    })
    expect(attempts).toHaveLength(1)
  })

  it('makes maxRetries + 1 attempts in all, then throws the last error', async () => {
    const attempts = failThenSucceed(503, 10)
    const error = await client({ maxRetries: 3 })
      .send({ method: 'GET', path: '/v1/thing' })
      .catch((caught: unknown) => caught)
    expect(attempts).toHaveLength(4)
    expect(error).toMatchObject({ status: 503, requestId: 'req_4' })
  })

  it('makes one attempt with maxRetries 0, per client or per call', async () => {
    const attempts = failThenSucceed(503, 10)
    await expect(
      client({ maxRetries: 0 }).send({ method: 'GET', path: '/v1/thing' }),
    ).rejects.toThrow('failure 1')
    await expect(
      client().send({ method: 'GET', path: '/v1/thing', options: { maxRetries: 0 } }),
    ).rejects.toThrow('failure 2')
    expect(attempts).toHaveLength(2)
  })

  it('waits as long as Retry-After asks', async () => {
    const times: number[] = []
    server.use(
      http.get(`${BASE_URL}/v1/thing`, () => {
        times.push(Date.now())
        return times.length === 1
          ? HttpResponse.json(
              { error: { type: 'rate_limited', message: 'slow down' } },
              { status: 429, headers: { 'retry-after': '1' } },
            )
          : HttpResponse.json({ ok: true })
      }),
    )
    await client().send({ method: 'GET', path: '/v1/thing' })
    const waited = (times[1] ?? 0) - (times[0] ?? 0)
    expect(waited).toBeGreaterThanOrEqual(950)
  })

  it('retries a dropped connection with backoff, then raises AgentBillConnectionError', async () => {
    let attempts = 0
    server.use(
      http.get(`${BASE_URL}/v1/thing`, () => {
        attempts++
        return HttpResponse.error()
      }),
    )
    const started = Date.now()
    const error = await client({ maxRetries: 1 })
      .send({ method: 'GET', path: '/v1/thing' })
      .catch((caught: unknown) => caught)
    expect(AgentBillConnectionError.isInstance(error)).toBe(true)
    expect(AgentBillTimeoutError.isInstance(error)).toBe(false)
    expect(attempts).toBe(2)
    // The one backoff is 0.5 s minus at most 25% jitter.
    expect(Date.now() - started).toBeGreaterThanOrEqual(370)
  })
})

describe('HttpClient timeouts', () => {
  it('abandons an attempt after timeoutMs and raises AgentBillTimeoutError after the retries', async () => {
    let attempts = 0
    server.use(
      http.get(`${BASE_URL}/v1/thing`, async () => {
        attempts++
        await delay('infinite')
        return HttpResponse.json({ ok: true })
      }),
    )
    const error = await client({ timeoutMs: 50, maxRetries: 1 })
      .send({ method: 'GET', path: '/v1/thing' })
      .catch((caught: unknown) => caught)
    expect(AgentBillTimeoutError.isInstance(error)).toBe(true)
    expect(AgentBillConnectionError.isInstance(error)).toBe(true)
    expect(attempts).toBe(2)
  })

  it('lets a per-call timeout override the client one', async () => {
    server.use(
      http.get(`${BASE_URL}/v1/thing`, async () => {
        await delay(200)
        return HttpResponse.json({ ok: true })
      }),
    )
    await expect(
      client({ timeoutMs: 20, maxRetries: 0 }).send({
        method: 'GET',
        path: '/v1/thing',
        options: { timeoutMs: 2000 },
      }),
    ).resolves.toEqual({ ok: true })
  })

  it('rejects with the abort reason when the caller aborts, without retrying', async () => {
    let attempts = 0
    server.use(
      http.get(`${BASE_URL}/v1/thing`, async () => {
        attempts++
        await delay('infinite')
        return HttpResponse.json({ ok: true })
      }),
    )
    const controller = new AbortController()
    const pending = client().send({
      method: 'GET',
      path: '/v1/thing',
      options: { signal: controller.signal },
    })
    setTimeout(() => controller.abort(new Error('caller gave up')), 30)
    await expect(pending).rejects.toThrow('caller gave up')
    expect(attempts).toBe(1)
  })
})

describe('HttpClient requests', () => {
  it('sends the key, JSON, and a versioned user agent', async () => {
    let seen: Request | undefined
    server.use(
      http.post(`${BASE_URL}/v1/thing`, ({ request }) => {
        seen = request
        return HttpResponse.json({ ok: true })
      }),
    )
    await client().send({ method: 'POST', path: '/v1/thing', body: { a: 1 } })
    expect(seen?.headers.get('authorization')).toBe('Bearer agb_test')
    expect(seen?.headers.get('content-type')).toBe('application/json')
    expect(seen?.headers.get('user-agent')).toMatch(/^agentbill-js\/\d/)
    expect(await seen?.json()).toEqual({ a: 1 })
  })

  it('refuses a 2xx answer that is not a JSON object (a wrong baseUrl)', async () => {
    server.use(http.get(`${BASE_URL}/v1/thing`, () => HttpResponse.html('<html>hello</html>')))
    await expect(client().send({ method: 'GET', path: '/v1/thing' })).rejects.toThrow(
      /is baseUrl an AgentBill server/,
    )
  })
})
