// `pnpm bench` (second part): the ledger server on PostgreSQL — one instance, and two
// instances on the same database with the load split between them — beside a raw `pg` run of
// the conditional UPDATE a reserving preflight boils down to, in the same rounds, so the
// ratio to the database's own limit shows. Everything on 127.0.0.1; each workload runs
// BENCH_SECONDS (5) in BENCH_ROUNDS (3) interleaved rounds. Not a pass/fail test.
//
// BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) names a server where a
// scratch database is created and dropped. BENCH_POSTGRES=0 skips this part.
import { fork } from 'node:child_process'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import pg from 'pg'
import {
  connections,
  cpuSeconds,
  requestIds,
  rounds,
  seconds,
  startServerProcess,
  stopProcess,
} from './bench-support.mjs'

if (process.env.BENCH_POSTGRES === '0') process.exit(0)

const poolSize = Number(process.env.BENCH_POOL_SIZE ?? 10)
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const customers = 100

async function admin(sql) {
  const client = new pg.Client({ connectionString: baseUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

function startInstance(database) {
  return startServerProcess(database, ['--pool-size', String(poolSize)])
}

function rawUpdate(database, projectId, rawConnections) {
  const child = fork(fileURLToPath(new URL('./pg-raw.mjs', import.meta.url)), [
    database,
    projectId,
    String(customers),
    String(rawConnections),
    String(seconds),
  ])
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message))
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`pg-raw exited ${code}`))
    })
  })
}

const { customerOf, uniqueKey } = requestIds(customers)

const workloads = {
  'preflight (`reserve: true`)': (json) => ({
    requests: [
      {
        method: 'POST',
        path: '/v1/preflight',
        headers: json,
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({
            agent_id: 'agent-1',
            customer_id: customerOf(),
            estimated_units: 3,
            reserve: true,
            ttl_seconds: 60,
          }),
        }),
      },
    ],
  }),
  'record (idempotency key)': (json) => ({
    requests: [
      {
        method: 'POST',
        path: '/v1/record',
        headers: json,
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({
            agent_id: 'agent-1',
            customer_id: customerOf(),
            units: 2,
            idempotency_key: uniqueKey(),
          }),
        }),
      },
    ],
  }),
  'mix: reserving preflight, then the record that settles it': (json) => ({
    requests: [
      {
        method: 'POST',
        path: '/v1/preflight',
        headers: json,
        setupRequest: (request, context) => {
          context.customer = customerOf()
          return {
            ...request,
            body: JSON.stringify({
              agent_id: 'agent-1',
              customer_id: context.customer,
              estimated_units: 3,
              reserve: true,
            }),
          }
        },
        onResponse: (status, body, context) => {
          context.reservation = status === 200 ? JSON.parse(body).reservation_id : undefined
        },
      },
      {
        method: 'POST',
        path: '/v1/record',
        headers: json,
        setupRequest: (request, context) => ({
          ...request,
          body: JSON.stringify({
            agent_id: 'agent-1',
            customer_id: context.customer,
            units: 2,
            idempotency_key: uniqueKey(),
            ...(context.reservation ? { reservation_id: context.reservation } : {}),
          }),
        }),
      },
    ],
  }),
  'preflight, one hot customer': (json) => ({
    requests: [
      {
        method: 'POST',
        path: '/v1/preflight',
        headers: json,
        body: JSON.stringify({
          agent_id: 'agent-1',
          customer_id: 'customer-0',
          estimated_units: 3,
          reserve: true,
          ttl_seconds: 60,
        }),
      },
    ],
  }),
}

/** Loads `instances` at once, the connections split evenly; one summary for all. */
async function load(instances, key, workload) {
  const json = { 'content-type': 'application/json', authorization: `Bearer ${key}` }
  const before = instances.map((instance) => cpuSeconds(instance.child.pid))
  const results = await Promise.all(
    instances.map((instance) =>
      autocannon({
        url: instance.url,
        connections: Math.round(connections / instances.length),
        duration: seconds,
        pipelining: 1,
        ...workload(json),
      }),
    ),
  )
  const cpu = instances.reduce(
    (sum, instance, index) => sum + cpuSeconds(instance.child.pid) - before[index],
    0,
  )
  const total = results.reduce((sum, result) => sum + result.requests.total, 0)
  return {
    requestsPerSecond: Math.round(
      results.reduce((sum, result) => sum + result.requests.average, 0),
    ),
    p50: Math.max(...results.map((result) => result.latency.p50)),
    p99: Math.max(...results.map((result) => result.latency.p99)),
    cpuMicroseconds: (cpu / Math.max(1, total)) * 1e6,
    errors: results.reduce((sum, result) => sum + result.errors + result.timeouts, 0),
    non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
  }
}

async function main() {
  const name = `agentbill_bench_${process.pid}`
  await admin(`CREATE DATABASE ${name}`)
  const databaseUrl = new URL(baseUrl)
  databaseUrl.pathname = `/${name}`
  const database = databaseUrl.toString()
  const started = []
  try {
    const first = await startInstance(database)
    started.push(first)
    const second = await startInstance(database)
    started.push(second)
    const key = first.key
    const json = { 'content-type': 'application/json', authorization: `Bearer ${key}` }
    for (let index = 0; index < customers; index++) {
      await fetch(`${first.url}/v1/customers/customer-${index}`, {
        method: 'PATCH',
        headers: json,
        body: JSON.stringify({ limit_units: 1_000_000_000_000 }),
      })
    }
    const project = await (await fetch(`${first.url}/v1/project`, { headers: json })).json()
    const loadBefore = os.loadavg()[0]
    const rows = new Map()
    const add = (label, round, result) => {
      const list = rows.get(label) ?? []
      list[round] = result
      rows.set(label, list)
    }
    for (let round = 0; round < rounds; round++) {
      for (const rawConnections of [poolSize, 2 * poolSize]) {
        const raw = await rawUpdate(database, project.id, rawConnections)
        add(`raw \`pg\` conditional UPDATE, ${rawConnections} connections`, round, {
          requestsPerSecond: Math.round(raw.operations / raw.seconds),
          p50: raw.p50,
          p99: raw.p99,
          cpuMicroseconds: (raw.cpuSeconds / Math.max(1, raw.operations)) * 1e6,
          errors: 0,
          non2xx: 0,
          raw: rawConnections,
        })
      }
      for (const [workload, options] of Object.entries(workloads)) {
        add(`${workload} — 1 instance`, round, {
          ...(await load([first], key, options)),
          raw: poolSize,
        })
        add(`${workload} — 2 instances`, round, {
          ...(await load([first, second], key, options)),
          raw: 2 * poolSize,
        })
      }
    }
    const rawOf = (round, rawConnections) =>
      rows.get(`raw \`pg\` conditional UPDATE, ${rawConnections} connections`)[round]
        .requestsPerSecond

    console.log(
      `\nAgentBill server benchmark — PostgreSQL (${baseUrl.replace(/\/\/[^@]*@/, '//')}, synchronous_commit as configured there), pool ${poolSize} per instance, ${connections} keep-alive connections in all (split evenly over the instances), ${rounds} rounds of ${seconds}s per workload (interleaved), Node ${process.version}, ${os.cpus().length} cores, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}\n`,
    )
    console.log(
      '| workload | best req/s | p50 ms | p99 ms | vs raw UPDATE (same round, same connection count) | server CPU µs/request | errors | non-2xx |',
    )
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
    for (const [label, series] of rows) {
      const best = series.reduce((left, right) =>
        right.requestsPerSecond > left.requestsPerSecond ? right : left,
      )
      const ratios = label.startsWith('raw')
        ? '100 %'
        : series
            .map(
              (result, round) =>
                `${((result.requestsPerSecond / rawOf(round, result.raw)) * 100).toFixed(0)}%`,
            )
            .join(' / ')
      const cpu = Math.min(...series.map((result) => result.cpuMicroseconds))
      const errors = series.reduce((sum, result) => sum + result.errors, 0)
      const non2xx = series.reduce((sum, result) => sum + result.non2xx, 0)
      console.log(
        `| ${label} | ${best.requestsPerSecond} | ${Number(best.p50).toFixed(0)} | ${Number(best.p99).toFixed(0)} | ${ratios} | ${cpu.toFixed(0)} | ${errors} | ${non2xx} |`,
      )
    }
    const metrics = await Promise.all(
      [first, second].map(async (instance) => (await fetch(`${instance.url}/metrics`)).text()),
    )
    const metric = (text, name) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0)
    console.log(
      `\nstore retries (deadlocks, key races, dropped connections): ${metrics.reduce((sum, text) => sum + metric(text, 'agentbill_store_retries_total'), 0)}; 503s: ${metrics.reduce((sum, text) => sum + metric(text, 'agentbill_store_unavailable_total'), 0)}`,
    )
  } finally {
    for (const instance of started) await stopProcess(instance.child)
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  }
}

await main()
