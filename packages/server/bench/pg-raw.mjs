// The database's own limit for the ledger's hot write, without the server: `connections`
// concurrent autocommit runs of the conditional UPDATE a reserving preflight boils down to
// (`UPDATE … WHERE remaining >= n RETURNING …`), over the same customers table, through the
// same driver. Started by bench/postgres.mjs; reports { operations, cpuSeconds } on its IPC
// channel. Bounded: it stops after `seconds`.
import pg from 'pg'

const [url, projectId, customersText, connectionsText, secondsText] = process.argv.slice(2)
const customers = Number(customersText)
const connections = Number(connectionsText)
const seconds = Number(secondsText)

const pool = new pg.Pool({ connectionString: url, max: connections })
pool.on('error', () => undefined)
const sql = `UPDATE customers SET reserved_units = reserved_units + $3
  WHERE project_id = $1 AND customer_id = $2
    AND coalesce(limit_units, free_units) + grant_units - used_units - reserved_units >= $3
  RETURNING reserved_units`

let operations = 0
let counter = 0
const deadline = performance.now() + seconds * 1000
const cpuBefore = process.cpuUsage()
const latencies = []

async function worker() {
  const client = await pool.connect()
  try {
    while (performance.now() < deadline) {
      const started = performance.now()
      await client.query({
        name: 'reserve',
        text: sql,
        values: [projectId, `customer-${counter++ % customers}`, 3],
      })
      latencies.push(performance.now() - started)
      operations++
    }
  } finally {
    client.release()
  }
}

await Promise.all(Array.from({ length: connections }, worker))
const cpu = process.cpuUsage(cpuBefore)
await pool.end()
latencies.sort((left, right) => left - right)
process.send?.({
  operations,
  seconds,
  p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
  p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
})
