// `pnpm bench`: the ledger server (SQLite, synchronous=FULL unless BENCH_SYNCHRONOUS=NORMAL)
// against a bare Hono handler, in the same run, over loopback with 50 keep-alive connections.
// Bounded: each phase runs BENCH_SECONDS (default 10) seconds. Not a pass/fail test.
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import os, { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import {
  connections,
  cpuSeconds,
  requestIds,
  rounds,
  seconds,
  startServerProcess,
  stopProcess,
} from './bench-support.mjs'

const synchronous = process.env.BENCH_SYNCHRONOUS ?? 'FULL'
const fsync = process.env.BENCH_FSYNC ?? 'background'
const customers = 100

function startBare() {
  const child = fork(fileURLToPath(new URL('./bare-server.mjs', import.meta.url)), ['hono', '0'])
  return new Promise((resolve) =>
    child.once('message', (message) => resolve({ child, url: `http://127.0.0.1:${message.port}` })),
  )
}

function startLedger(database) {
  return startServerProcess(database, [
    '--synchronous',
    synchronous,
    '--fsync',
    fsync,
    '--log-level',
    'warn',
  ])
}

function summary(name, result, cpu) {
  return {
    name,
    cpuMicroseconds: (cpu / Math.max(1, result.requests.total)) * 1e6,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  }
}

async function load(child, name, options) {
  const before = cpuSeconds(child.pid)
  const result = await autocannon({ connections, duration: seconds, pipelining: 1, ...options })
  return summary(name, result, cpuSeconds(child.pid) - before)
}

const { customerOf, uniqueKey } = requestIds(customers)

async function main() {
  const directory = mkdtempSync(join(tmpdir(), 'agentbill-bench-'))
  const database = join(directory, 'bench.db')
  const bare = await startBare()
  const ledger = await startLedger(database)
  const json = { 'content-type': 'application/json', authorization: `Bearer ${ledger.key}` }
  // Budgets large enough that nothing is blocked: the work measured is the full approve path.
  for (let index = 0; index < customers; index++) {
    await fetch(`${ledger.url}/v1/customers/customer-${index}`, {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ limit_units: 1_000_000_000_000 }),
    })
  }
  const results = []
  for (let round = 0; round < rounds; round++) {
    results.push(
      await load(bare.child, 'bare Hono handler (POST JSON)', {
        url: `${bare.url}/v1/bare`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent_id: 'agent-1', customer_id: 'c1', estimated_units: 10 }),
      }),
    )
    results.push(
      await load(ledger.child, 'preflight (reserve: true)', {
        url: `${ledger.url}/v1/preflight`,
        requests: [
          {
            method: 'POST',
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
    )
    results.push(
      await load(ledger.child, 'record (idempotency key)', {
        url: `${ledger.url}/v1/record`,
        requests: [
          {
            method: 'POST',
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
    )
    results.push(
      await load(ledger.child, 'mix: reserving preflight, then record settling it', {
        url: ledger.url,
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
    )
  }
  const metrics = await (await fetch(`${ledger.url}/metrics`)).text()
  const commits = Number(/agentbill_store_commits_total (\d+)/.exec(metrics)?.[1] ?? 0)
  const transactions = Number(
    /agentbill_store_request_transactions_total (\d+)/.exec(metrics)?.[1] ?? 0,
  )
  let walBytes = 0
  try {
    walBytes = statSync(`${database}-wal`).size
  } catch {}
  await stopProcess(ledger.child)
  await stopProcess(bare.child)
  rmSync(directory, { recursive: true, force: true })

  console.log(
    `\nAgentBill server benchmark — SQLite synchronous=${synchronous} (fsync ${fsync}), ${connections} connections, ${rounds} rounds of ${seconds}s per workload (interleaved), Node ${process.version}, ${os.cpus().length} cores, load average at the end ${os.loadavg()[0].toFixed(1)}\n`,
  )
  console.log(
    '| workload | best req/s | p50 ms | p99 ms | vs bare (same round) | server CPU µs/request | errors | non-2xx |',
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
  const perRound = results.length / rounds
  for (let index = 0; index < perRound; index++) {
    const series = Array.from({ length: rounds }, (_, round) => ({
      round,
      result: results[round * perRound + index],
    }))
    const best = series.reduce((left, right) =>
      right.result.requestsPerSecond > left.result.requestsPerSecond ? right : left,
    )
    const ratios = series.map(
      ({ round, result }) => result.requestsPerSecond / results[round * perRound].requestsPerSecond,
    )
    const cpu = Math.min(...series.map(({ result }) => result.cpuMicroseconds))
    const errors = series.reduce((sum, { result }) => sum + result.errors, 0)
    const non2xx = series.reduce((sum, { result }) => sum + result.non2xx, 0)
    console.log(
      `| ${best.result.name} | ${best.result.requestsPerSecond} | ${best.result.p50} | ${best.result.p99} | ${ratios.map((ratio) => `${(ratio * 100).toFixed(0)}%`).join(' / ')} | ${cpu.toFixed(0)} | ${errors} | ${non2xx} |`,
    )
  }
  console.log(
    `\nrequests per database commit (group commit): ${(transactions / Math.max(1, commits)).toFixed(1)}; WAL file at the end: ${(walBytes / 1024 / 1024).toFixed(1)} MiB`,
  )
}

await main()
