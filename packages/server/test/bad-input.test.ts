import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../src/testing.js'

// Raw HTTP on purpose: a client would refuse most of these before sending them.
const directory = mkdtempSync(join(tmpdir(), 'agentbill-bad-input-'))
const database = join(directory, 'ledger.db')
let server: TestServer
let runtimeKey: string
let otherReservation: string
let otherKeyId: string

const ledgerTables = [
  'projects',
  'api_keys',
  'customers',
  'runs',
  'reservations',
  'events',
  'decisions',
  'grants',
]

/** Every ledger row, in a stable order, read through a second connection. */
function snapshot(): string {
  const reader = new Database(database, { readonly: true })
  try {
    return JSON.stringify(
      ledgerTables.map((table) => reader.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all()),
    )
  } finally {
    reader.close()
  }
}

beforeAll(async () => {
  server = await startTestServer({ database })
  const admin = { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' }
  const created = await fetch(`${server.url}/v1/keys`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ name: 'runtime', scope: 'runtime' }),
  })
  runtimeKey = ((await created.json()) as { key: string }).key
  // Activity to leave untouched, in this project and in another one.
  await fetch(`${server.url}/v1/record`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ agent_id: 'a', customer_id: 'c1', units: 3, idempotency_key: 'seen' }),
  })
  const other = (await (
    await fetch(`${server.url}/v1/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project_name: 'Other' }),
    })
  ).json()) as { key: string }
  const otherHeaders = { authorization: `Bearer ${other.key}`, 'content-type': 'application/json' }
  const held = (await (
    await fetch(`${server.url}/v1/preflight`, {
      method: 'POST',
      headers: otherHeaders,
      body: JSON.stringify({ agent_id: 'a', customer_id: 'c1', estimated_units: 5, reserve: true }),
    })
  ).json()) as { reservation_id: string }
  otherReservation = held.reservation_id
  const otherKeys = (await (
    await fetch(`${server.url}/v1/keys`, { headers: otherHeaders })
  ).json()) as { data: { id: string }[] }
  otherKeyId = otherKeys.data[0]?.id as string
})

afterAll(async () => {
  await server.close()
  rmSync(directory, { recursive: true, force: true })
})

interface Case {
  name: string
  method?: string
  path: string
  /** A value to JSON-encode, or a raw string/bytes to send as is. */
  body?: unknown
  raw?: string | Uint8Array<ArrayBuffer>
  headers?: Record<string, string>
  /** Which key to send: admin by default. */
  auth?: 'admin' | 'runtime' | 'none' | string
  status: number
  param?: string | null
}

const preflight = (body: unknown): Pick<Case, 'method' | 'path' | 'body'> => ({
  method: 'POST',
  path: '/v1/preflight',
  body,
})
const record = (body: unknown): Pick<Case, 'method' | 'path' | 'body'> => ({
  method: 'POST',
  path: '/v1/record',
  body,
})
const agent = { agent_id: 'agent' }
const deepMetadata = `{"agent_id":"a","metadata":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`

const cases: Case[] = [
  { name: 'agent_id missing', ...preflight({ customer_id: 'c' }), status: 400, param: 'agent_id' },
  { name: 'agent_id empty', ...preflight({ agent_id: '' }), status: 400, param: 'agent_id' },
  {
    name: 'agent_id of 201 characters',
    ...preflight({ agent_id: 'a'.repeat(201) }),
    status: 400,
    param: 'agent_id',
  },
  {
    name: 'agent_id of 201 characters, each an emoji (402 UTF-16 units)',
    ...preflight({ agent_id: '🤖'.repeat(201) }),
    status: 400,
    param: 'agent_id',
  },
  {
    name: 'agent_id with a newline',
    ...preflight({ agent_id: 'a\nb' }),
    status: 400,
    param: 'agent_id',
  },
  {
    name: 'agent_id with NUL',
    ...preflight({ agent_id: 'a\u0000b' }),
    status: 400,
    param: 'agent_id',
  },
  {
    name: 'agent_id with DEL',
    ...preflight({ agent_id: 'a\u007f' }),
    status: 400,
    param: 'agent_id',
  },
  {
    name: 'agent_id with a C1 control',
    ...preflight({ agent_id: 'a\u0085' }),
    status: 400,
    param: 'agent_id',
  },
  { name: 'agent_id a number', ...preflight({ agent_id: 7 }), status: 400, param: 'agent_id' },
  { name: 'agent_id null', ...preflight({ agent_id: null }), status: 400, param: 'agent_id' },
  {
    name: 'customer_id a lone surrogate',
    method: 'POST',
    path: '/v1/preflight',
    raw: '{"agent_id":"a","customer_id":"\\ud800"}',
    status: 400,
    param: 'customer_id',
  },
  {
    name: 'estimated_units a fraction',
    ...preflight({ ...agent, estimated_units: 1.5 }),
    status: 400,
    param: 'estimated_units',
  },
  {
    name: 'estimated_units negative',
    ...preflight({ ...agent, estimated_units: -1 }),
    status: 400,
    param: 'estimated_units',
  },
  {
    name: 'estimated_units a string',
    ...preflight({ ...agent, estimated_units: '10' }),
    status: 400,
    param: 'estimated_units',
  },
  {
    name: 'estimated_units null',
    ...preflight({ ...agent, estimated_units: null }),
    status: 400,
    param: 'estimated_units',
  },
  {
    name: 'estimated_units past 10^15',
    ...preflight({ ...agent, estimated_units: 1e15 + 1 }),
    status: 400,
    param: 'estimated_units',
  },
  {
    name: 'estimated_units huge',
    method: 'POST',
    path: '/v1/preflight',
    raw: '{"agent_id":"a","estimated_units":1e400}',
    status: 400,
    param: 'estimated_units',
  },
  {
    name: 'estimated_units "AUTO"',
    ...preflight({ ...agent, estimated_units: 'AUTO' }),
    status: 400,
    param: 'estimated_units',
  },
  {
    name: 'ceiling negative',
    ...preflight({ ...agent, ceiling: -5 }),
    status: 400,
    param: 'ceiling',
  },
  {
    name: 'ttl_seconds 0',
    ...preflight({ ...agent, ttl_seconds: 0 }),
    status: 400,
    param: 'ttl_seconds',
  },
  {
    name: 'ttl_seconds past a day',
    ...preflight({ ...agent, ttl_seconds: 86_401 }),
    status: 400,
    param: 'ttl_seconds',
  },
  {
    name: 'reserve a string',
    ...preflight({ ...agent, reserve: 'true' }),
    status: 400,
    param: 'reserve',
  },
  {
    name: 'camelCase estimatedUnits',
    ...preflight({ ...agent, estimatedUnits: 10 }),
    status: 400,
    param: 'estimatedUnits',
  },
  {
    name: '__proto__ field',
    method: 'POST',
    path: '/v1/preflight',
    raw: '{"agent_id":"a","__proto__":{"x":1}}',
    status: 400,
    param: '__proto__',
  },
  {
    name: 'idempotency_key of 201 characters',
    ...preflight({ ...agent, idempotency_key: 'k'.repeat(201) }),
    status: 400,
    param: 'idempotency_key',
  },
  { name: 'body an array', ...preflight([agent]), status: 400, param: null },
  { name: 'body JSON null', ...preflight(null), status: 400, param: null },
  { name: 'body a JSON string', ...preflight('agent'), status: 400, param: null },
  {
    name: 'body not JSON',
    method: 'POST',
    path: '/v1/preflight',
    raw: '{agent_id: "a"',
    status: 400,
    param: null,
  },
  {
    name: 'body not UTF-8',
    method: 'POST',
    path: '/v1/preflight',
    raw: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]),
    status: 400,
    param: null,
  },
  { name: 'body empty', method: 'POST', path: '/v1/preflight', raw: '', status: 400, param: null },
  {
    name: 'content type text/plain',
    ...preflight(agent),
    headers: { 'content-type': 'text/plain' },
    status: 415,
  },
  {
    name: 'content type form',
    ...preflight(agent),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
  },
  {
    name: 'content type missing',
    ...preflight(agent),
    headers: { 'content-type': '' },
    status: 415,
  },
  { name: 'body over 64 KiB', ...preflight({ ...agent, pad: 'x'.repeat(70_000) }), status: 413 },
  { name: 'units a fraction', ...record({ ...agent, units: 2.5 }), status: 400, param: 'units' },
  { name: 'units negative', ...record({ ...agent, units: -3 }), status: 400, param: 'units' },
  {
    name: 'units past 10^15',
    ...record({ ...agent, units: 10 ** 15 + 1 }),
    status: 400,
    param: 'units',
  },
  { name: 'units a boolean', ...record({ ...agent, units: true }), status: 400, param: 'units' },
  {
    name: 'metadata an array',
    ...record({ ...agent, metadata: ['x'] }),
    status: 400,
    param: 'metadata',
  },
  {
    name: 'metadata a string',
    ...record({ ...agent, metadata: 'x' }),
    status: 400,
    param: 'metadata',
  },
  {
    name: 'metadata over 4 KiB',
    ...record({ ...agent, metadata: { note: 'x'.repeat(4100) } }),
    status: 400,
    param: 'metadata',
  },
  {
    name: 'metadata nested 3000 deep',
    method: 'POST',
    path: '/v1/record',
    raw: deepMetadata,
    status: 400,
  },
  { name: 'record unknown field', ...record({ ...agent, unit: 5 }), status: 400, param: 'unit' },
  {
    name: 'record reservation_id empty',
    ...record({ ...agent, reservation_id: '' }),
    status: 400,
    param: 'reservation_id',
  },
  {
    name: 'Idempotency-Key header differs from the body',
    ...record({ ...agent, idempotency_key: 'a' }),
    headers: { 'idempotency-key': 'b' },
    status: 400,
    param: 'idempotency_key',
  },
  {
    name: 'Idempotency-Key header too long',
    ...record(agent),
    headers: { 'idempotency-key': 'k'.repeat(201) },
    status: 400,
    param: 'Idempotency-Key',
  },
  {
    name: 'reused idempotency key, other units',
    ...record({ agent_id: 'a', customer_id: 'c1', units: 4, idempotency_key: 'seen' }),
    status: 422,
    param: 'idempotency_key',
  },
  {
    name: 'PATCH customer used_units (mass assignment)',
    method: 'PATCH',
    path: '/v1/customers/c1',
    body: { used_units: 0 },
    status: 400,
    param: 'used_units',
  },
  {
    name: 'PATCH customer limit_units a string',
    method: 'PATCH',
    path: '/v1/customers/c1',
    body: { limit_units: '100' },
    status: 400,
    param: 'limit_units',
  },
  {
    name: 'PATCH customer period "year"',
    method: 'PATCH',
    path: '/v1/customers/c1',
    body: { period: 'year' },
    status: 400,
    param: 'period',
  },
  {
    name: 'PATCH customer unlimited "yes"',
    method: 'PATCH',
    path: '/v1/customers/c1',
    body: { unlimited: 'yes' },
    status: 400,
    param: 'unlimited',
  },
  {
    name: 'PATCH customer with a bad path id',
    method: 'PATCH',
    path: `/v1/customers/${'c'.repeat(201)}`,
    body: { unlimited: true },
    status: 400,
    param: 'customer_id',
  },
  {
    name: 'PATCH project free_units negative',
    method: 'PATCH',
    path: '/v1/project',
    body: { free_units: -1 },
    status: 400,
    param: 'free_units',
  },
  {
    name: 'PATCH project upgrade_url javascript:',
    method: 'PATCH',
    path: '/v1/project',
    body: { upgrade_url: 'javascript:alert(1)' },
    status: 400,
    param: 'upgrade_url',
  },
  {
    name: 'PATCH project id (mass assignment)',
    method: 'PATCH',
    path: '/v1/project',
    body: { id: 'prj_x' },
    status: 400,
    param: 'id',
  },
  {
    name: 'grant of 0 units',
    method: 'POST',
    path: '/v1/customers/c1/grants',
    body: { units: 0 },
    status: 400,
    param: 'units',
  },
  {
    name: 'grant of a fraction',
    method: 'POST',
    path: '/v1/customers/c1/grants',
    body: { units: 1.5 },
    status: 400,
    param: 'units',
  },
  {
    name: 'grant reason with a control character',
    method: 'POST',
    path: '/v1/customers/c1/grants',
    body: { units: 5, reason: 'a\tb' },
    status: 400,
    param: 'reason',
  },
  {
    name: 'key scope "root"',
    method: 'POST',
    path: '/v1/keys',
    body: { name: 'k', scope: 'root' },
    status: 400,
    param: 'scope',
  },
  {
    name: 'key without a name',
    method: 'POST',
    path: '/v1/keys',
    body: { scope: 'admin' },
    status: 400,
    param: 'name',
  },
  {
    name: 'register without project_name',
    method: 'POST',
    path: '/v1/register',
    body: { email: 'a@b.example' },
    auth: 'none',
    status: 400,
    param: 'project_name',
  },
  {
    name: 'register with a bad email',
    method: 'POST',
    path: '/v1/register',
    body: { project_name: 'x', email: 'nope' },
    auth: 'none',
    status: 400,
    param: 'email',
  },
  {
    name: 'release with a body field',
    method: 'POST',
    path: `/v1/reservations/${'rsv_x'}/release`,
    body: { force: true },
    status: 400,
    param: 'force',
  },
  { name: 'events limit 0', path: '/v1/events?limit=0', status: 400, param: 'limit' },
  { name: 'events limit 201', path: '/v1/events?limit=201', status: 400, param: 'limit' },
  { name: 'events limit "abc"', path: '/v1/events?limit=abc', status: 400, param: 'limit' },
  { name: 'events limit twice', path: '/v1/events?limit=1&limit=2', status: 400, param: 'limit' },
  {
    name: 'events since "yesterday"',
    path: '/v1/events?since=yesterday',
    status: 400,
    param: 'since',
  },
  {
    name: 'decisions approved "maybe"',
    path: '/v1/decisions?approved=maybe',
    status: 400,
    param: 'approved',
  },
  {
    name: 'usage group_by "week"',
    path: '/v1/usage?group_by=week',
    status: 400,
    param: 'group_by',
  },
  {
    name: 'usage group_by "day,day"',
    path: '/v1/usage?group_by=day,day',
    status: 400,
    param: 'group_by',
  },
  {
    name: 'customers unknown query parameter',
    path: '/v1/customers?startingAfter=x',
    status: 400,
    param: 'startingAfter',
  },
  {
    name: 'balance of a 201-character customer',
    path: `/v1/customers/${'c'.repeat(201)}/balance`,
    status: 400,
    param: 'customer_id',
  },
  { name: 'no Authorization', ...preflight(agent), auth: 'none', status: 401 },
  { name: 'Basic auth', ...preflight(agent), auth: 'Basic dXNlcjpwYXNz', status: 401 },
  {
    name: 'unknown key',
    ...preflight(agent),
    auth: 'Bearer agb_unknownunknownunknownunknown',
    status: 401,
  },
  {
    name: 'runtime key on a management endpoint',
    path: '/v1/customers',
    auth: 'runtime',
    status: 403,
  },
  {
    name: 'runtime key creating a key',
    method: 'POST',
    path: '/v1/keys',
    body: { name: 'x' },
    auth: 'runtime',
    status: 403,
  },
  { name: "another project's reservation", path: '/v1/reservations/{other}', status: 404 },
  {
    name: "releasing another project's reservation",
    method: 'POST',
    path: '/v1/reservations/{other}/release',
    status: 404,
  },
  {
    name: "revoking another project's key",
    method: 'DELETE',
    path: '/v1/keys/{otherKey}',
    status: 404,
  },
  { name: 'unknown endpoint', path: '/v1/nope', status: 404 },
]

async function send(testCase: Case): Promise<Response> {
  const headers: Record<string, string> = {}
  const auth = testCase.auth ?? 'admin'
  if (auth === 'admin') headers.authorization = `Bearer ${server.adminKey}`
  else if (auth === 'runtime') headers.authorization = `Bearer ${runtimeKey}`
  else if (auth !== 'none') headers.authorization = auth
  let body: string | Uint8Array<ArrayBuffer> | undefined
  if (testCase.raw !== undefined) body = testCase.raw
  else if (testCase.body !== undefined) body = JSON.stringify(testCase.body)
  if (body !== undefined) headers['content-type'] = 'application/json'
  for (const [name, value] of Object.entries(testCase.headers ?? {})) {
    if (value === '') delete headers[name]
    else headers[name] = value
  }
  const path = testCase.path.replace('{other}', otherReservation).replace('{otherKey}', otherKeyId)
  return fetch(`${server.url}${path}`, { method: testCase.method ?? 'GET', headers, body })
}

describe('bad input', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40)
  })

  it('answers each with its 4xx, naming the field, and leaves the ledger byte-for-byte unchanged', async () => {
    const before = snapshot()
    const failures: string[] = []
    for (const testCase of cases) {
      const response = await send(testCase)
      const body = (await response.json()) as {
        error?: { type: string; message: string; param: string | null }
      }
      const problems: string[] = []
      if (response.status !== testCase.status) problems.push(`status ${response.status}`)
      if (body.error === undefined || typeof body.error.message !== 'string')
        problems.push('no error body')
      if (testCase.param !== undefined && body.error?.param !== testCase.param) {
        problems.push(`param ${body.error?.param}`)
      }
      if (response.headers.get('x-request-id') === null) problems.push('no x-request-id')
      if (problems.length > 0) {
        failures.push(
          `${testCase.name}: ${problems.join(', ')} — ${JSON.stringify(body).slice(0, 200)}`,
        )
      }
    }
    expect(failures).toEqual([])
    expect(snapshot()).toBe(before)
  })

  it('counts characters as code points: 200 emoji make a valid id', async () => {
    const response = await send({
      name: 'emoji id',
      ...preflight({ agent_id: '🤖'.repeat(200) }),
      status: 200,
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ approved: true })
  })

  it('refuses a chunked body over 64 KiB without a Content-Length', async () => {
    const before = snapshot()
    const chunk = new TextEncoder().encode('x'.repeat(16_384))
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"agent_id":"a","pad":"'))
        if (sent++ < 6) controller.enqueue(chunk)
        else {
          controller.enqueue(new TextEncoder().encode('"}'))
          controller.close()
        }
      },
    })
    const response = await fetch(`${server.url}/v1/preflight`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe(
      'payload_too_large',
    )
    expect(snapshot()).toBe(before)
  })
})
