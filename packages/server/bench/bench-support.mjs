// What the server benchmarks share: their settings, starting and stopping the built CLI, and the
// server's CPU per request (which other load on the machine disturbs far less than the rate).
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const seconds = Number(process.env.BENCH_SECONDS ?? 5)
export const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
export const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

/**
 * Starts `agentbill-server --port 0 --database <database> …args` and resolves `{ child, url, key }`
 * once it listens: on a new database when its banner (with the admin key) has printed, on an
 * existing one when the `listening` and `database opened` log lines have (which needs log level
 * info).
 */
export function startServerProcess(database, args = []) {
  const child = spawn(process.execPath, [cli, '--port', '0', '--database', database, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  return new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`server exited ${code}: ${output}`))
    child.once('exit', onExit)
    child.stdout.on('data', (chunk) => {
      output += chunk
      const key = /Admin key \(shown once, keep it\): (agb_\w+)/.exec(output)?.[1]
      const bannerUrl = /AgentBill server (http:\/\/\S+)/.exec(output)?.[1]
      const loggedUrl = /"url":"(http:\/\/[^"]+)".*"msg":"listening"/.exec(output)?.[1]
      const url = output.includes('API docs:')
        ? bannerUrl
        : !output.includes('New database') && output.includes('database opened')
          ? loggedUrl
          : undefined
      if (url === undefined) return
      child.off('exit', onExit)
      child.stdout.removeAllListeners('data')
      child.stdout.resume()
      resolve({ child, url, key })
    })
  })
}

/** Stops a server process with SIGTERM (it drains and closes its database). */
export function stopProcess(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode)
    child.once('exit', resolve)
    child.kill('SIGTERM')
  })
}

/** CPU seconds a process has used (Linux /proc). */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

/** Spreads load over `customers` customers, and makes idempotency keys no other run uses. */
export function requestIds(customers) {
  let counter = 0
  return {
    customerOf: () => `customer-${counter++ % customers}`,
    uniqueKey: () => `bench-${process.pid}-${counter++}`,
  }
}
