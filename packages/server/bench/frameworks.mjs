// Measures a bare JSON handler on node:http, Hono (@hono/node-server) and Fastify, each in its
// own child process, with autocannon (50 keep-alive connections, 127.0.0.1 only, bounded).
import { fork } from 'node:child_process'
import autocannon from 'autocannon'

const seconds = Number(process.env.BENCH_SECONDS ?? 5)

function startChild(framework) {
  const child = fork(new URL('./bare-server.mjs', import.meta.url), [framework, '0'])
  return new Promise((resolve) =>
    child.once('message', (message) => resolve({ child, port: message.port })),
  )
}

for (let round = 0; round < 2; round++) {
  for (const framework of ['node', 'hono', 'fastify']) {
    const { child, port } = await startChild(framework)
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/v1/bare`,
      connections: 50,
      duration: seconds,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent_id: 'agent-1', customer_id: 'c1', estimated_units: 10 }),
    })
    child.kill()
    console.log(
      `${framework.padEnd(8)} ${Math.round(result.requests.average)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  errors ${result.errors + result.non2xx}`,
    )
  }
}
