import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { BASE_URL, preflightWire, recordWire, reservationWire } from './__fixtures__/wire'
import { AgentBill } from './agent-bill'
import { AgentBillConfigurationError } from './errors/agent-bill-configuration-error'
import { AgentBillValidationError } from './errors/agent-bill-validation-error'
import { BudgetExceededError } from './errors/budget-exceeded-error'
import { currentRun } from './run-scope'

const server = setupServer()
const requests: Array<{ path: string; body: Record<string, unknown> }> = []
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => {
  server.resetHandlers()
  requests.length = 0
  vi.unstubAllEnvs()
})
afterAll(() => server.close())

async function capture(request: Request) {
  const text = await request.text()
  requests.push({ path: new URL(request.url).pathname, body: text === '' ? {} : JSON.parse(text) })
}

function bill(options: ConstructorParameters<typeof AgentBill>[0] = {}) {
  return new AgentBill({ apiKey: 'agb_test', baseUrl: BASE_URL, onError: () => {}, ...options })
}

describe('construction', () => {
  it('names the environment variable when no key is given', () => {
    vi.stubEnv('AGENTBILL_API_KEY', '')
    expect(() => new AgentBill()).toThrow(AgentBillConfigurationError)
    expect(() => new AgentBill()).toThrow(/AGENTBILL_API_KEY/)
  })

  it('reads the key and base URL from the environment', async () => {
    vi.stubEnv('AGENTBILL_API_KEY', 'agb_from_env')
    vi.stubEnv('AGENTBILL_BASE_URL', `${BASE_URL}/`)
    let authorization: string | null = null
    server.use(
      http.post(`${BASE_URL}/v1/preflight`, ({ request }) => {
        authorization = request.headers.get('authorization')
        return HttpResponse.json(preflightWire())
      }),
    )
    await new AgentBill().preflight({ agentId: 'a' })
    expect(authorization).toBe('Bearer agb_from_env')
  })
})

describe('idempotency keys', () => {
  it('sends the same key on every retry of one preflight and one record, and new keys for new calls', async () => {
    let failures = 0
    const fail = () =>
      HttpResponse.json(
        { error: { type: 'internal', message: 'boom' } },
        { status: 503, headers: { 'retry-after': '0' } },
      )
    server.use(
      http.post(`${BASE_URL}/v1/preflight`, async ({ request }) => {
        await capture(request)
        return failures++ % 3 < 2 ? fail() : HttpResponse.json(preflightWire())
      }),
      http.post(`${BASE_URL}/v1/record`, async ({ request }) => {
        await capture(request)
        return failures++ % 3 < 2 ? fail() : HttpResponse.json(recordWire(), { status: 201 })
      }),
    )
    const client = bill()
    await client.preflight({ agentId: 'a', estimatedUnits: 10 })
    await client.preflight({ agentId: 'a', estimatedUnits: 10 })
    await client.record({ agentId: 'a', units: 10 })
    const keys = requests.map(
      (request) => `${request.path} ${String(request.body.idempotency_key)}`,
    )
    expect(keys).toHaveLength(9)
    // Three attempts per call, one key per call, three different keys.
    expect(new Set(keys.slice(0, 3)).size).toBe(1)
    expect(new Set(keys.slice(3, 6)).size).toBe(1)
    expect(new Set(keys.slice(6, 9)).size).toBe(1)
    expect(new Set(keys).size).toBe(3)
  })

  it('uses the caller’s key when given', async () => {
    server.use(
      http.post(`${BASE_URL}/v1/record`, async ({ request }) => {
        await capture(request)
        return HttpResponse.json(recordWire({ duplicate: true }))
      }),
    )
    const result = await bill().record({ agentId: 'a', units: 3, idempotencyKey: 'step-42' })
    expect(requests[0]?.body).toMatchObject({
      idempotency_key: 'step-42',
      units: 3,
      agent_id: 'a',
      customer_id: 'default',
    })
    expect(result).toMatchObject({ recorded: true, duplicate: true, idempotencyKey: 'step-42' })
  })
})

describe('fail modes', () => {
  const down = () => server.use(http.post(`${BASE_URL}/v1/preflight`, () => HttpResponse.error()))

  it("'closed' (the default) blocks with reason 'unavailable' when the server cannot be reached", async () => {
    down()
    const result = await bill({ maxRetries: 0 }).preflight({ agentId: 'a', estimatedUnits: 5 })
    expect(result).toMatchObject({
      approved: false,
      reason: 'unavailable',
      degraded: true,
      preflightId: null,
      estimatedUnits: 5,
    })
    expect(result.error?.name).toBe('AgentBillConnectionError')
  })

  it("'open' lets the run go on and says degraded", async () => {
    down()
    const result = await bill({ maxRetries: 0, failMode: 'open' }).preflight({
      agentId: 'a',
      estimatedUnits: 5,
    })
    expect(result).toMatchObject({
      approved: true,
      reason: null,
      degraded: true,
      reservationId: null,
    })
  })

  it('treats a 5xx after the retries as unreachable too', async () => {
    server.use(
      http.post(`${BASE_URL}/v1/preflight`, () =>
        HttpResponse.json(
          { error: { type: 'internal', message: 'x' } },
          { status: 500, headers: { 'retry-after': '0' } },
        ),
      ),
    )
    await expect(bill().preflight({ agentId: 'a' })).resolves.toMatchObject({
      approved: false,
      reason: 'unavailable',
      degraded: true,
    })
  })

  it('throws on a refused key instead of applying the fail mode', async () => {
    server.use(
      http.post(`${BASE_URL}/v1/preflight`, () =>
        HttpResponse.json(
          { error: { type: 'authentication_failed', message: 'bad key' } },
          { status: 401 },
        ),
      ),
    )
    await expect(bill({ failMode: 'open' }).preflight({ agentId: 'a' })).rejects.toMatchObject({
      status: 401,
      type: 'authentication_failed',
    })
  })
})

describe('the record queue', () => {
  it('keeps records while the server is down and delivers each exactly once when it is back', async () => {
    let up = false
    const accepted = new Map<string, number>()
    server.use(
      http.post(`${BASE_URL}/v1/record`, async ({ request }) => {
        if (!up) return HttpResponse.error()
        const body = (await request.json()) as { idempotency_key: string; units: number }
        accepted.set(body.idempotency_key, (accepted.get(body.idempotency_key) ?? 0) + 1)
        return HttpResponse.json(recordWire({ units: body.units }), { status: 201 })
      }),
    )
    const client = bill({ maxRetries: 0 })
    const results = await Promise.all(
      [1, 2, 3].map((units) => client.record({ agentId: 'a', units })),
    )
    expect(results.map((result) => result.queued)).toEqual([true, true, true])
    expect(results.map((result) => result.recorded)).toEqual([false, false, false])
    expect(client.pendingRecords).toBe(3)

    // Still down: a short flush delivers nothing and keeps everything.
    await expect(client.flush({ timeoutMs: 50 })).resolves.toEqual({ delivered: 0, pending: 3 })

    up = true
    await expect(client.flush()).resolves.toEqual({ delivered: 3, pending: 0 })
    expect(client.pendingRecords).toBe(0)
    expect([...accepted.values()]).toEqual([1, 1, 1])
    expect(new Set(accepted.keys())).toEqual(
      new Set(results.map((result) => result.idempotencyKey)),
    )
  })

  it('re-sends on its own, in the background, once the server answers again', async () => {
    let up = false
    let delivered = 0
    server.use(
      http.post(`${BASE_URL}/v1/record`, () => {
        if (!up) return HttpResponse.error()
        delivered++
        return HttpResponse.json(recordWire(), { status: 201 })
      }),
    )
    const client = bill({ maxRetries: 0 })
    await client.record({ agentId: 'a' })
    up = true
    await vi.waitFor(() => expect(delivered).toBe(1), { timeout: 3000, interval: 50 })
    expect(client.pendingRecords).toBe(0)
  })

  it('does not queue a record the server refuses outright', async () => {
    server.use(
      http.post(`${BASE_URL}/v1/record`, () =>
        HttpResponse.json(
          { error: { type: 'idempotency_conflict', message: 'other units' } },
          { status: 422 },
        ),
      ),
    )
    const client = bill()
    await expect(
      client.record({ agentId: 'a', units: 2, idempotencyKey: 'k' }),
    ).rejects.toMatchObject({ status: 422 })
    expect(client.pendingRecords).toBe(0)
  })

  it('throws instead of queueing past maxQueuedRecords', async () => {
    server.use(http.post(`${BASE_URL}/v1/record`, () => HttpResponse.error()))
    const client = bill({ maxRetries: 0, maxQueuedRecords: 1 })
    await expect(client.record({ agentId: 'a' })).resolves.toMatchObject({ queued: true })
    await expect(client.record({ agentId: 'a' })).rejects.toThrow(/maxQueuedRecords/)
  })
})

describe('run', () => {
  function runHandlers(preflight: Record<string, unknown>) {
    server.use(
      http.post(`${BASE_URL}/v1/preflight`, async ({ request }) => {
        await capture(request)
        return HttpResponse.json(preflightWire(preflight))
      }),
      http.post(`${BASE_URL}/v1/record`, async ({ request }) => {
        await capture(request)
        return HttpResponse.json(recordWire(), { status: 201 })
      }),
      http.post(`${BASE_URL}/v1/reservations/:id/release`, async ({ request }) => {
        await capture(request)
        return HttpResponse.json(reservationWire())
      }),
    )
  }

  it('releases the hold and rethrows when the function throws', async () => {
    runHandlers({ reservation_id: 'rsv_1', expires_at: '2026-11-28T12:15:00.000Z' })
    const failure = new Error('the agent crashed')
    await expect(
      bill().run({ agentId: 'a', customerId: 'c', estimatedUnits: 10 }, () => {
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(requests.map((request) => request.path)).toEqual([
      '/v1/preflight',
      '/v1/reservations/rsv_1/release',
    ])
    expect(requests[0]?.body).toMatchObject({
      reserve: true,
      estimated_units: 10,
      customer_id: 'c',
      run_id: expect.stringMatching(/^run_/),
    })
  })

  it('records what the function reported, settling the hold, under the run id', async () => {
    runHandlers({ reservation_id: 'rsv_2' })
    const answer = await bill().run(
      { agentId: 'a', estimatedUnits: 10, ceiling: 20, runId: 'run_fixed' },
      (run) => {
        expect(currentRun()?.runId).toBe('run_fixed')
        run.report(4, { model: 'gpt-4o' })
        run.report(3)
        return 'done'
      },
    )
    expect(answer).toBe('done')
    expect(requests.map((request) => request.path)).toEqual(['/v1/preflight', '/v1/record'])
    expect(requests[1]?.body).toMatchObject({
      units: 7,
      reservation_id: 'rsv_2',
      run_id: 'run_fixed',
      metadata: { model: 'gpt-4o' },
    })
    expect(currentRun()).toBeUndefined()
  })

  it('throws BudgetExceededError and never calls the function when blocked', async () => {
    runHandlers({
      approved: false,
      reason: 'budget_exhausted',
      remaining_units: 0,
      upgrade_url: 'https://example.com/upgrade',
    })
    const callback = vi.fn()
    const error = await bill()
      .run({ agentId: 'a', customerId: 'c' }, callback)
      .catch((caught: unknown) => caught)
    expect(BudgetExceededError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({
      reason: 'budget_exhausted',
      remainingUnits: 0,
      upgradeUrl: 'https://example.com/upgrade',
      customerId: 'c',
    })
    expect(callback).not.toHaveBeenCalled()
  })

  it('checks without holding when no estimate is given, and releases nothing', async () => {
    runHandlers({})
    await bill().run({ agentId: 'a' }, () => undefined)
    expect(requests.map((request) => request.path)).toEqual(['/v1/preflight'])
    expect(requests[0]?.body.reserve).toBeUndefined()
  })

  it('meter records the units computed from each result', async () => {
    runHandlers({})
    const double = bill().meter(async (value: number) => value * 2, {
      agentId: 'a',
      units: (result) => result,
    })
    await expect(double(21)).resolves.toBe(42)
    expect(requests[1]).toMatchObject({ path: '/v1/record', body: { units: 42 } })
  })
})

describe('beginCall', () => {
  it('resolves the call’s own context first, then the run scope, then the adapter defaults', async () => {
    server.use(
      http.post(`${BASE_URL}/v1/preflight`, async ({ request }) => {
        await capture(request)
        const reserve = requests.at(-1)?.body.reserve === true
        return HttpResponse.json(
          preflightWire({
            reservation_id: reserve ? 'rsv_9' : null,
            remaining_units: 50,
            run_remaining_units: 5,
          }),
        )
      }),
      http.post(`${BASE_URL}/v1/record`, async ({ request }) => {
        await capture(request)
        return HttpResponse.json(recordWire(), { status: 201 })
      }),
    )
    const client = bill()
    await client.run(
      { agentId: 'scoped-agent', customerId: 'scoped-customer', ceiling: 30 },
      async () => {
        const call = await client.beginCall({
          call: { customerId: 'call-customer' },
          defaults: { agentId: 'default-agent', customerId: 'default-customer', ceiling: 99 },
          estimatedUnits: 10,
        })
        expect(call).toMatchObject({
          agentId: 'scoped-agent',
          customerId: 'call-customer',
          ceiling: 30,
          allowanceUnits: 15,
        })
        await call.record(8, { metadata: { model: 'm' } })
        await call.record(9)
        await call.release()
      },
    )
    const [, preflight, record] = requests
    expect(preflight?.body).toMatchObject({
      agent_id: 'scoped-agent',
      customer_id: 'call-customer',
      ceiling: 30,
      reserve: true,
      estimated_units: 10,
    })
    expect(record?.body).toMatchObject({
      units: 8,
      reservation_id: 'rsv_9',
      idempotency_key: 'dec_test:record',
    })
    // record and release after the first record change nothing.
    expect(requests).toHaveLength(3)
  })

  it('throws BudgetExceededError before the caller can call the provider', async () => {
    server.use(
      http.post(`${BASE_URL}/v1/preflight`, () =>
        HttpResponse.json(preflightWire({ approved: false, reason: 'ceiling_exceeded' })),
      ),
    )
    await expect(
      bill().beginCall({ defaults: { agentId: 'a' }, estimatedUnits: 10 }),
    ).rejects.toMatchObject({
      name: 'BudgetExceededError',
      reason: 'ceiling_exceeded',
    })
  })

  it('needs an agent id from somewhere', async () => {
    await expect(bill().beginCall({ estimatedUnits: 1 })).rejects.toThrow(AgentBillValidationError)
  })
})

describe('bad arguments are refused before anything is sent', () => {
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    [
      'a fractional estimate',
      () => bill().preflight({ agentId: 'a', estimatedUnits: 1.5 }),
      'estimatedUnits',
    ],
    ['a negative ceiling', () => bill().preflight({ agentId: 'a', ceiling: -1 }), 'ceiling'],
    ['a huge unit count', () => bill().record({ agentId: 'a', units: 1e16 }), 'units'],
    [
      'units as a string',
      () => bill().record({ agentId: 'a', units: '5' as unknown as number }),
      'units',
    ],
    ['an empty agent id', () => bill().preflight({ agentId: '' }), 'agentId'],
    ['a control character', () => bill().record({ agentId: 'a\u0000b' }), 'agentId'],
    [
      'a snake_case option',
      () => bill().preflight({ agentId: 'a', estimated_units: 5 } as never),
      'estimated_units',
    ],
    [
      'metadata that is an array',
      () => bill().record({ agentId: 'a', metadata: [] as never }),
      'metadata',
    ],
    [
      'metadata over 4 KiB',
      () => bill().record({ agentId: 'a', metadata: { text: 'x'.repeat(5000) } }),
      'metadata',
    ],
    ['a TTL of zero', () => bill().preflight({ agentId: 'a', ttlSeconds: 0 }), 'ttlSeconds'],
    ['an empty reservation id', () => bill().release(''), 'reservationId'],
  ]
  it.each(cases)('%s', async (_name, call, param) => {
    const error = await call().catch((caught: unknown) => caught)
    expect(AgentBillValidationError.isInstance(error)).toBe(true)
    expect((error as AgentBillValidationError).param).toBe(param)
    expect(requests).toHaveLength(0)
  })
})
