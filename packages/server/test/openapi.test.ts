import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { keyedRoutes } from '../src/http/routes.js'
import { errorSchema } from '../src/schemas/objects.js'
import { startTestServer, type TestServer } from '../src/testing.js'

// The document is generated from the route table; this checks the other direction: what the
// server really answers matches what the document says, field for field (the response schemas
// are strict objects, so an undocumented field fails here).
let server: TestServer
let headers: Record<string, string>

beforeAll(async () => {
  // No webhook worker: the deliveries made here stay queued (nothing leaves the machine).
  server = await startTestServer({ webhooks: false })
  headers = { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' }
})
afterAll(() => server.close())

const seen = new Set<string>()

async function call(method: string, template: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const json = (await response.json()) as unknown
  const route = keyedRoutes.find(
    (item) => item.path === template && item.method === method.toLowerCase(),
  )
  if (route === undefined) throw new Error(`no route ${method} ${template}`)
  const documented = route.responses.find((item) => item.status === response.status)
  expect(
    documented,
    `${method} ${template} answered an undocumented ${response.status}`,
  ).toBeDefined()
  const parsed = (documented?.schema ?? z.never()).safeParse(json)
  expect(
    parsed.success,
    `${method} ${template} ${response.status}: ${JSON.stringify(parsed.error?.issues)}`,
  ).toBe(true)
  seen.add(`${route.method} ${route.path}`)
  return json as Record<string, unknown>
}

describe('OpenAPI document', () => {
  it('describes exactly what every keyed endpoint answers', async () => {
    const held = await call('POST', '/v1/preflight', '/v1/preflight', {
      agent_id: 'a',
      customer_id: 'c',
      estimated_units: 5,
      reserve: true,
      ceiling: 9,
      run_id: 'r',
    })
    await call('POST', '/v1/preflight', '/v1/preflight', {
      agent_id: 'a',
      customer_id: 'c',
      estimated_units: 5000,
    })
    await call('POST', '/v1/record', '/v1/record', {
      agent_id: 'a',
      customer_id: 'c',
      units: 3,
      reservation_id: held.reservation_id,
      idempotency_key: 'k',
    })
    await call('POST', '/v1/record', '/v1/record', {
      agent_id: 'a',
      customer_id: 'c',
      units: 3,
      idempotency_key: 'k',
    })
    await call('POST', '/v1/record', '/v1/record', {
      agent_id: 'a',
      customer_id: 'c',
      units: 4,
      idempotency_key: 'k',
    })
    await call('GET', '/v1/reservations/{id}', `/v1/reservations/${held.reservation_id}`)
    await call(
      'POST',
      '/v1/reservations/{id}/release',
      `/v1/reservations/${held.reservation_id}/release`,
    )
    await call('POST', '/v1/reservations/{id}/release', '/v1/reservations/rsv_missing/release')
    await call('GET', '/v1/customers/{customer_id}/balance', '/v1/customers/c/balance')
    await call('GET', '/v1/customers', '/v1/customers', undefined)
    await call('GET', '/v1/customers/{customer_id}', '/v1/customers/c')
    await call('PATCH', '/v1/customers/{customer_id}', '/v1/customers/c', {
      period: 'week',
      metadata: { a: 1 },
    })
    await call('PATCH', '/v1/customers/{customer_id}', '/v1/customers/c', { nope: 1 })
    await call('POST', '/v1/customers/{customer_id}/grants', '/v1/customers/c/grants', {
      units: 5,
      reason: 'r',
    })
    await call('GET', '/v1/events', '/v1/events?limit=1')
    await call('GET', '/v1/decisions', '/v1/decisions?approved=false')
    await call('GET', '/v1/usage', '/v1/usage?group_by=customer,agent')
    await call('GET', '/v1/usage', '/v1/usage?group_by=day&customer_id=c&agent_id=a')
    await call('GET', '/v1/customers', '/v1/customers?search=C')
    await call('GET', '/v1/decisions/summary', '/v1/decisions/summary?group_by=day,reason')
    await call('GET', '/v1/decisions/summary', '/v1/decisions/summary?group_by=week')
    await call('GET', '/v1/runs/{run_id}', '/v1/runs/r')
    await call('GET', '/v1/runs/{run_id}', '/v1/runs/no-such-run')
    const key = await call('POST', '/v1/keys', '/v1/keys', { name: 'n', scope: 'runtime' })
    await call('GET', '/v1/keys', '/v1/keys')
    await call('DELETE', '/v1/keys/{id}', `/v1/keys/${key.id}`)
    const hook = await call('POST', '/v1/webhooks', '/v1/webhooks', {
      url: 'https://93.184.216.34/hooks',
      events: ['grant.created'],
      thresholds: [50],
      description: 'billing',
    })
    await call('POST', '/v1/webhooks', '/v1/webhooks', { url: 'http://127.0.0.1/x', events: ['*'] })
    await call('GET', '/v1/webhooks', '/v1/webhooks')
    await call('GET', '/v1/webhooks/{id}', `/v1/webhooks/${hook.id}`)
    await call('GET', '/v1/webhooks/{id}', '/v1/webhooks/whe_missing')
    await call('POST', '/v1/customers/{customer_id}/grants', '/v1/customers/c/grants', { units: 1 })
    const deliveries = (await call(
      'GET',
      '/v1/webhooks/{id}/deliveries',
      `/v1/webhooks/${hook.id}/deliveries?status=pending&limit=5`,
    )) as { data: Array<{ id: string }> }
    expect(deliveries.data).toHaveLength(1)
    await call(
      'POST',
      '/v1/webhooks/{id}/deliveries/{delivery_id}/resend',
      `/v1/webhooks/${hook.id}/deliveries/${deliveries.data[0]?.id}/resend`,
    )
    await call(
      'POST',
      '/v1/webhooks/{id}/deliveries/{delivery_id}/resend',
      `/v1/webhooks/${hook.id}/deliveries/whdel_missing/resend`,
    )
    await call('GET', '/v1/webhooks/{id}/deliveries', '/v1/webhooks/whe_missing/deliveries')
    await call('DELETE', '/v1/webhooks/{id}', `/v1/webhooks/${hook.id}`)
    await call('GET', '/v1/project', '/v1/project')
    await call('PATCH', '/v1/project', '/v1/project', {
      upgrade_url: 'https://x.example/{customer_id}',
    })
    expect([...seen].sort()).toEqual(
      keyedRoutes.map((route) => `${route.method} ${route.path}`).sort(),
    )
  })

  it('documents every route with its scope, and the request schemas refuse what the server refuses', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security: unknown[]; 'x-agentbill-scope': string }>>
      components: {
        schemas: Record<
          string,
          {
            additionalProperties?: boolean
            properties: Record<string, Record<string, unknown>>
            required?: string[]
          }
        >
      }
    }
    for (const route of keyedRoutes) {
      const operation = document.paths[route.path]?.[route.method]
      expect(operation?.['x-agentbill-scope']).toBe(route.auth)
      expect(operation?.security).toEqual([{ bearerAuth: [] }])
    }
    expect(document.paths['/v1/register']?.post?.security).toEqual([])
    const preflight = document.components.schemas.PreflightRequest
    expect(preflight?.additionalProperties).toBe(false)
    expect(preflight?.required).toEqual(['agent_id'])
    expect(JSON.stringify(preflight?.properties.estimated_units)).toContain('"const":"auto"')
    expect(JSON.stringify(preflight?.properties.estimated_units)).toContain(
      '"maximum":1000000000000000',
    )
    expect(preflight?.properties.ttl_seconds).toMatchObject({ minimum: 1, maximum: 86400 })
    // The control-character rule is documented as a pattern that refuses what the server refuses.
    const pattern = new RegExp(String(preflight?.properties.agent_id?.pattern), 'u')
    expect(pattern.test('agent-1')).toBe(true)
    expect(pattern.test('a\nb')).toBe(false)
    expect(pattern.test('a\u0085')).toBe(false)
    const unknown = await fetch(`${server.url}/v1/preflight`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ agent_id: 'a', estimatedUnits: 2 }),
    })
    expect(errorSchema.safeParse(await unknown.json()).success).toBe(true)
  })
})
