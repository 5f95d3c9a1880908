// `node bench/dashboard.mjs` (after a build): how long the dashboard's pages take to render, in
// process, on a SQLite file holding BENCH_DAYS (90) days of BENCH_PER_DAY (2,000) reserving
// preflights and records each, beside the cheapest keyed API call (GET /v1/project) in the same
// run. SQLite work is synchronous, so a page's render time is also how long it holds the event
// loop (and every API request waiting behind it). Bounded in size; not a pass/fail test.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from '../dist/index.js'

const days = Number(process.env.BENCH_DAYS ?? 90)
const perDay = Number(process.env.BENCH_PER_DAY ?? 2000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 7)
const dayMs = 86_400_000
const start = Date.UTC(2026, 0, 1, 12)
let now = start
const directory = mkdtempSync(join(tmpdir(), 'agentbill-dashboard-bench-'))
const server = createServer({
  database: join(directory, 'bench.db'),
  logger: false,
  clock: () => now,
  synchronous: 'NORMAL',
})

try {
  const { adminKey } = await server.bootstrap()
  const call = (method, path, body) =>
    server.fetch(
      new Request(`http://bench${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    )
  await call('PATCH', '/v1/project', { free_units: 1_000_000_000_000 })
  const loaded = performance.now()
  for (let day = 0; day < days; day++) {
    now = start + day * dayMs
    const batch = []
    for (let index = 0; index < perDay; index++) {
      const body = { agent_id: `agent-${index % 12}`, customer_id: `customer-${index % 300}` }
      batch.push(
        call('POST', '/v1/preflight', { ...body, estimated_units: 5, reserve: true })
          .then((response) => response.json())
          .then((answer) =>
            call('POST', '/v1/record', {
              ...body,
              units: 3,
              reservation_id: answer.reservation_id,
            }),
          ),
      )
      if (batch.length >= 200) await Promise.all(batch.splice(0))
    }
    await Promise.all(batch)
  }
  process.stdout.write(
    `loaded ${days} days × ${perDay} preflights and records in ${((performance.now() - loaded) / 1000).toFixed(0)} s\n`,
  )

  // Sign in through the dashboard's own form, as a browser would.
  const form = await server.fetch(new Request('http://bench/sign-in'))
  const formCookie = form.headers.getSetCookie()[0].split(';')[0]
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())[1]
  const signedIn = await server.fetch(
    new Request('http://bench/sign-in', {
      method: 'POST',
      headers: {
        cookie: formCookie,
        origin: 'http://bench',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ _csrf: token, key: adminKey }).toString(),
    }),
  )
  const session = signedIn.headers
    .getSetCookie()
    .find((line) => line.startsWith('agentbill_session='))
    .split(';')[0]

  const median = async (count, run) => {
    const times = []
    for (let round = 0; round < count; round++) {
      const started = performance.now()
      await run()
      times.push(performance.now() - started)
    }
    times.sort((left, right) => left - right)
    return times[Math.floor(count / 2)]
  }
  const baseline = await median(200, async () => (await call('GET', '/v1/project')).text())
  const page = (path) => async () => {
    const response = await server.fetch(
      new Request(`http://bench${path}`, { headers: { cookie: session } }),
    )
    await response.text()
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`)
  }
  const rows = [['GET /v1/project (baseline)', baseline]]
  for (const path of [
    '/?range=7',
    '/?range=14',
    '/?range=30',
    '/?range=90',
    '/agents?range=14',
    '/agent?id=agent-1&range=14',
    '/customers',
    '/customer?id=customer-1',
    '/events',
    '/decisions',
  ]) {
    rows.push([path, await median(rounds, page(path))])
  }
  process.stdout.write('| page | median ms | × baseline |\n| --- | ---: | ---: |\n')
  for (const [name, milliseconds] of rows) {
    process.stdout.write(
      `| \`${name}\` | ${milliseconds.toFixed(1)} | ${(milliseconds / baseline).toFixed(0)} |\n`,
    )
  }
} finally {
  await server.close()
  rmSync(directory, { recursive: true, force: true })
}
