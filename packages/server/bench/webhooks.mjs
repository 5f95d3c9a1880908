import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import os, { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { createServer as createAgentBillServer } from '../dist/index.js'
import {
  connections,
  cpuSeconds,
  rounds,
  seconds,
  startServerProcess,
  stopProcess,
} from './bench-support.mjs'

const customers = 100

function startLedger(database) {
  return startServerProcess(database, ['--log-level', 'error', '--allow-private-webhook-targets'])
}

async function startReceiver() {
  let received = 0
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      received++
      response.writeHead(204).end()
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${server.address().port}/hook`, received: () => received }
}

async function attempts(url) {
  const metrics = await (await fetch(`${url}/metrics`)).text()
  return Number(/agentbill_webhook_attempts_total (\d+)/.exec(metrics)?.[1] ?? 0)
}

let counter = 0

/** Waits until the worker has attempted everything queued; resolves deliveries per second. */
async function drain(url) {
  const started = performance.now()
  const first = await attempts(url)
  let last = first
  for (const deadline = Date.now() + 300_000; Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 500))
    const now = await attempts(url)
    if (now === last) break
    last = now
  }
  const elapsed = (performance.now() - started) / 1000 - 0.5
  return { delivered: last - first, perSecond: (last - first) / Math.max(0.5, elapsed) }
}

/**
 * The request path alone, in process (no socket, no worker, an in-memory database): CPU per
 * blocked preflight with and without an endpoint, 50 requests in flight at a time.
 */
async function inProcess() {
  const server = createAgentBillServer({
    database: ':memory:',
    logger: false,
    webhooks: false,
    allowPrivateWebhookTargets: true,
  })
  const { adminKey } = await server.bootstrap()
  const call = async (key, method, path, body) =>
    (
      await server.fetch(
        new Request(`http://bench${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      )
    ).json()
  const { key: hookedKey } = await (
    await server.fetch(
      new Request('http://bench/v1/register', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ project_name: 'hooked' }),
      }),
    )
  ).json()
  await call(hookedKey, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/h', events: ['*'] })
  for (const key of [adminKey, hookedKey]) {
    await call(key, 'PATCH', '/v1/customers/empty', { limit_units: 0 })
  }
  const rows = []
  // Round -1 warms the JIT up and is not reported.
  for (let round = -1; round < rounds; round++) {
    for (const [name, key] of [
      ['blocked preflight, no endpoint', adminKey],
      ['blocked preflight, endpoint for every event', hookedKey],
    ]) {
      const count = 10_000
      const started = performance.now()
      const cpu = process.cpuUsage()
      let batch = []
      for (let index = 0; index < count; index++) {
        batch.push(
          call(key, 'POST', '/v1/preflight', {
            agent_id: 'a',
            customer_id: 'empty',
            estimated_units: 5,
          }),
        )
        if (batch.length === 50) {
          await Promise.all(batch)
          batch = []
        }
      }
      await Promise.all(batch)
      const used = process.cpuUsage(cpu)
      if (round < 0) continue
      rows.push({
        name,
        round,
        wallMicroseconds: ((performance.now() - started) * 1000) / count,
        cpuMicroseconds: (used.user + used.system) / count,
      })
    }
  }
  await server.close()
  return rows
}

async function load(ledger, name, key, path, body) {
  const before = cpuSeconds(ledger.child.pid)
  const attemptsBefore = await attempts(ledger.url)
  const result = await autocannon({
    connections,
    duration: seconds,
    url: `${ledger.url}${path}`,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }),
      },
    ],
  })
  const cpu = cpuSeconds(ledger.child.pid) - before
  return {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p99: result.latency.p99,
    cpuMicroseconds: (cpu / Math.max(1, result.requests.total)) * 1e6,
    deliveriesPerSecond: (await attempts(ledger.url)) - attemptsBefore,
    errors: result.errors + result.timeouts + result.non2xx,
  }
}

async function main() {
  const directory = mkdtempSync(join(tmpdir(), 'agentbill-bench-webhooks-'))
  const ledger = await startLedger(join(directory, 'bench.db'))
  const receiver = await startReceiver()
  const plainKey = ledger.key
  const registered = await (
    await fetch(`${ledger.url}/v1/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project_name: 'with webhooks' }),
    })
  ).json()
  const hookedKey = registered.key
  const created = await fetch(`${ledger.url}/v1/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${hookedKey}` },
    body: JSON.stringify({ url: receiver.url, events: ['*'] }),
  })
  if (created.status !== 201) throw new Error(`webhook not created: ${await created.text()}`)
  for (const key of [plainKey, hookedKey]) {
    for (let index = 0; index < customers; index++) {
      // Records: a 100-unit allowance, so every 1-unit record reaches a new whole percent of
      // it — the outbox reads the endpoints on every record (its worst case), and fires
      // thresholds and overage once per customer. Preflights: nothing granted, all blocked.
      for (const [customer, limit] of [
        [`small-${index}`, 100],
        [`empty-${index}`, 0],
      ]) {
        await fetch(`${ledger.url}/v1/customers/${customer}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ limit_units: limit }),
        })
      }
    }
  }
  const record = () => ({
    agent_id: 'agent-1',
    customer_id: `small-${counter++ % customers}`,
    units: 1,
  })
  const blocked = () => ({
    agent_id: 'agent-1',
    customer_id: `empty-${counter++ % customers}`,
    estimated_units: 5,
  })
  const results = []
  const drains = []
  for (let round = 0; round < rounds; round++) {
    results.push(await load(ledger, 'record, no endpoint', plainKey, '/v1/record', record))
    results.push(
      await load(ledger, 'record, endpoint for every event', hookedKey, '/v1/record', record),
    )
    results.push(
      await load(ledger, 'blocked preflight, no endpoint', plainKey, '/v1/preflight', blocked),
    )
    results.push(
      await load(
        ledger,
        'blocked preflight, endpoint for every event (an event and a delivery each)',
        hookedKey,
        '/v1/preflight',
        blocked,
      ),
    )
    // The worker catches up before the next round, so each baseline runs beside an idle one.
    drains.push(await drain(ledger.url))
  }
  const last = await attempts(ledger.url)
  await stopProcess(ledger.child)
  receiver.server.close()
  rmSync(directory, { recursive: true, force: true })

  console.log(
    `\nWebhooks on the request path — SQLite FULL (background fsync), ${connections} connections, ${rounds} rounds of ${seconds}s per workload (interleaved), Node ${process.version}, ${os.cpus().length} cores, load average at the end ${os.loadavg()[0].toFixed(1)}\n`,
  )
  console.log(
    '| workload | best req/s | p99 ms | vs without endpoint (same round) | server CPU µs/request | deliveries/s during it | errors |',
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|')
  const perRound = results.length / rounds
  for (let index = 0; index < perRound; index++) {
    const series = Array.from({ length: rounds }, (_, round) => ({
      round,
      result: results[round * perRound + index],
    }))
    const best = series.reduce((left, right) =>
      right.result.requestsPerSecond > left.result.requestsPerSecond ? right : left,
    )
    const baseline = index % 2 === 1 ? index - 1 : index
    const ratios = series.map(
      ({ round, result }) =>
        result.requestsPerSecond / results[round * perRound + baseline].requestsPerSecond,
    )
    const cpu = Math.min(...series.map(({ result }) => result.cpuMicroseconds))
    const deliveries =
      series.reduce((sum, { result }) => sum + result.deliveriesPerSecond, 0) / rounds / seconds
    const errors = series.reduce((sum, { result }) => sum + result.errors, 0)
    console.log(
      `| ${best.result.name} | ${best.result.requestsPerSecond} | ${best.result.p99} | ${ratios.map((ratio) => `${(ratio * 100).toFixed(0)}%`).join(' / ')} | ${cpu.toFixed(0)} | ${deliveries.toFixed(0)} | ${errors} |`,
    )
  }
  console.log(
    `\nThe worker alone (no request load), catching up after each round: ${drains.map((item) => `${item.delivered} deliveries at ${item.perSecond.toFixed(0)}/s`).join('; ')}. Deliveries received in all: ${receiver.received()} (attempts logged: ${last}).`,
  )
  const local = await inProcess()
  console.log(
    '\nThe request path alone, in process (no socket, no worker, in-memory database), 10,000 blocked preflights per round:\n',
  )
  console.log('| workload | µs/request (wall) per round | CPU µs/request (best) |')
  console.log('|---|---:|---:|')
  for (const name of [...new Set(local.map((row) => row.name))]) {
    const series = local.filter((row) => row.name === name)
    console.log(
      `| ${name} | ${series.map((row) => row.wallMicroseconds.toFixed(0)).join(' / ')} | ${Math.min(...series.map((row) => row.cpuMicroseconds)).toFixed(0)} |`,
    )
  }
}

await main()
