import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The core client cannot depend on @agentbill/server (the server's tests depend on the client,
// and turbo refuses a cycle), so these end-to-end tests start the built server's CLI by path.
// The root test command builds every package before any test runs.
const cli = fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url))

/** A real `agentbill-server` process on a SQLite file, which can be stopped and started again. */
export interface ServerProcess {
  url: string
  adminKey: string
  stop(): Promise<void>
  start(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

/** @param options.env Variables for the server process, besides this process's own. */
export async function startServerProcess(
  options: { env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  if (!existsSync(cli))
    throw new Error(`Build the server first (${cli} is missing): pnpm exec turbo run build`)
  const database = join(mkdtempSync(join(tmpdir(), 'agentbill-core-e2e-')), 'ledger.db')
  const port = await freePort()
  let child: ChildProcess | undefined
  let adminKey = ''
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const process_ = spawn(
        process.execPath,
        [cli, '--port', String(port), '--database', database],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
      )
      child = process_
      let output = ''
      const onExit = (code: number | null) =>
        reject(new Error(`agentbill-server exited with ${code}: ${output}`))
      process_.once('exit', onExit)
      process_.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8')
        const key = /Admin key \(shown once, keep it\): (agb_\w+)/.exec(output)?.[1]
        if (key !== undefined) adminKey = key
        if (
          output.includes('"msg":"database opened"') &&
          output.includes('"msg":"listening"') &&
          (adminKey !== '' || !output.includes('New database'))
        ) {
          process_.off('exit', onExit)
          resolve()
        }
      })
      process_.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8')
      })
    })
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child === undefined || child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  await start()
  return {
    url: `http://127.0.0.1:${port}`,
    get adminKey() {
      return adminKey
    },
    stop,
    start,
  }
}
