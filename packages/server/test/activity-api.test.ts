import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../src/testing.js'

// The endpoints the dashboard added to the API (runs, decision counts, customer search, usage
// filters), over real HTTP. The `agentbill` client does not call them yet, so raw fetch.
const start = Date.UTC(2026, 4, 4, 22, 0, 0)
let now = start
let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ clock: () => now })
})
afterAll(() => server.close())

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('GET /v1/runs/{run_id}', () => {
  it('shows the run against its ceiling, expiring holds past their time', async () => {
    const held = await api('POST', '/v1/preflight', {
      agent_id: 'a',
      customer_id: 'run-c',
      run_id: 'run 1/ü',
      ceiling: 50,
      estimated_units: 20,
      reserve: true,
      ttl_seconds: 60,
    })
    expect(held.body.approved).toBe(true)
    await api('POST', '/v1/record', {
      agent_id: 'a',
      customer_id: 'run-c',
      run_id: 'run 1/ü',
      units: 7,
    })
    const path = `/v1/runs/${encodeURIComponent('run 1/ü')}`
    expect((await api('GET', path)).body).toEqual({
      run_id: 'run 1/ü',
      ceiling: 50,
      used_units: 7,
      reserved_units: 20,
      remaining_units: 23,
      created_at: new Date(start).toISOString(),
    })
    now = start + 61_000
    expect((await api('GET', path)).body).toMatchObject({ reserved_units: 0, remaining_units: 43 })
    now = start
  })

  it('is 404 for a run never seen, and creates nothing', async () => {
    const missing = await api('GET', '/v1/runs/never')
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual({
      error: { type: 'not_found', message: 'No such run', param: 'run_id' },
    })
    expect((await api('GET', '/v1/runs/never')).status).toBe(404)
  })

  it('needs an admin key', async () => {
    const key = await api('POST', '/v1/keys', { name: 'rt', scope: 'runtime' })
    const response = await fetch(`${server.url}/v1/runs/x`, {
      headers: { authorization: `Bearer ${key.body.key as string}` },
    })
    expect(response.status).toBe(403)
  })
})

describe('GET /v1/decisions/summary', () => {
  it('counts blocked preflights per day and reason, filtered by agent and customer', async () => {
    const day1 = Date.UTC(2026, 4, 1, 23, 59)
    const day2 = Date.UTC(2026, 4, 2, 0, 1)
    now = day1
    await api('PATCH', '/v1/customers/sum-c', { limit_units: 10 })
    await api('POST', '/v1/preflight', { agent_id: 'x', customer_id: 'sum-c', estimated_units: 11 })
    await api('POST', '/v1/preflight', {
      agent_id: 'y',
      customer_id: 'sum-c',
      estimated_units: 5,
      ceiling: 4,
    })
    now = day2
    await api('POST', '/v1/preflight', { agent_id: 'x', customer_id: 'sum-c', estimated_units: 12 })
    await api('POST', '/v1/preflight', { agent_id: 'x', customer_id: 'sum-c', estimated_units: 3 })
    now = start
    const window = 'since=2026-05-01&until=2026-05-03'
    expect(
      (await api('GET', `/v1/decisions/summary?group_by=day,reason&approved=false&${window}`)).body,
    ).toEqual({
      group_by: ['day', 'reason'],
      data: [
        { day: '2026-05-01', reason: 'budget_exhausted', decisions: 1, estimated_units: 11 },
        { day: '2026-05-01', reason: 'ceiling_exceeded', decisions: 1, estimated_units: 5 },
        { day: '2026-05-02', reason: 'budget_exhausted', decisions: 1, estimated_units: 12 },
      ],
    })
    expect(
      (await api('GET', `/v1/decisions/summary?group_by=agent&customer_id=sum-c&${window}`)).body,
    ).toEqual({
      group_by: ['agent'],
      data: [
        { agent_id: 'x', decisions: 3, estimated_units: 26 },
        { agent_id: 'y', decisions: 1, estimated_units: 5 },
      ],
    })
    expect((await api('GET', `/v1/decisions/summary?agent_id=y&${window}`)).body).toEqual({
      group_by: ['day'],
      data: [{ day: '2026-05-01', decisions: 1, estimated_units: 5 }],
    })
  })

  it('refuses a bad group_by or approved, naming the parameter', async () => {
    for (const query of ['group_by=day,day', 'group_by=week', 'group_by=a,b,c', 'approved=yes']) {
      const response = await api('GET', `/v1/decisions/summary?${query}`)
      expect(response.status, query).toBe(400)
      expect((response.body.error as { param: string }).param).toBe(query.split('=')[0])
    }
  })
})

describe('GET /v1/customers?search=', () => {
  it('finds customers whose id contains the text, ASCII case folded, with the cursor', async () => {
    for (const id of ['Find-Me-1', 'find-me-2', 'other', 'FIND_ME_3']) {
      await api('PATCH', `/v1/customers/${id}`, {})
    }
    const first = await api('GET', '/v1/customers?search=find&limit=2')
    const ids = (first.body.data as { customer_id: string }[]).map((item) => item.customer_id)
    expect(ids).toEqual(['FIND_ME_3', 'Find-Me-1'])
    expect(first.body.has_more).toBe(true)
    const next = await api('GET', '/v1/customers?search=find&limit=2&starting_after=Find-Me-1')
    expect((next.body.data as { customer_id: string }[]).map((item) => item.customer_id)).toEqual([
      'find-me-2',
    ])
    expect(next.body.has_more).toBe(false)
    expect((await api('GET', '/v1/customers?search=')).status).toBe(400)
  })
})

describe('GET /v1/usage filters', () => {
  it('sums only the named customer or agent', async () => {
    await api('POST', '/v1/record', { agent_id: 'u-a', customer_id: 'u-c1', units: 3 })
    await api('POST', '/v1/record', { agent_id: 'u-b', customer_id: 'u-c1', units: 4 })
    await api('POST', '/v1/record', { agent_id: 'u-a', customer_id: 'u-c2', units: 5 })
    expect((await api('GET', '/v1/usage?group_by=agent&customer_id=u-c1')).body).toEqual({
      group_by: ['agent'],
      data: [
        { agent_id: 'u-a', units: 3, events: 1 },
        { agent_id: 'u-b', units: 4, events: 1 },
      ],
    })
    expect((await api('GET', '/v1/usage?group_by=customer&agent_id=u-a')).body).toEqual({
      group_by: ['customer'],
      data: [
        { customer_id: 'u-c1', units: 3, events: 1 },
        { customer_id: 'u-c2', units: 5, events: 1 },
      ],
    })
  })
})
