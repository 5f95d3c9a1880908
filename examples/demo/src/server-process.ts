import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** The AgentBill server, started as its own process the way a user runs it. */
export interface ServerProcess {
  url: string
  /** The first project's admin key, printed once when the database is new. */
  firstAdminKey: string | undefined
  child: ChildProcess
  stop(): Promise<void>
}

/**
 * Starts `agentbill-server --port <port> --database <database>` and resolves once it listens.
 * Its banner (URL, first admin key) goes to our output; its JSON logs go to `logFile`.
 */
export function startServerProcess(options: {
  port: number
  database: string
  logFile: string
}): Promise<ServerProcess> {
  const require = createRequire(import.meta.url)
  const cli = join(dirname(require.resolve('@agentbill/server/package.json')), 'dist', 'cli.js')
  const child = spawn(
    process.execPath,
    [cli, '--port', String(options.port), '--database', options.database],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const log = createWriteStream(options.logFile, { flags: 'a' })
  let output = ''
  let firstAdminKey: string | undefined
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(
        new Error(
          `agentbill-server stopped (exit ${code}) before it listened. Its log: ${options.logFile}\n${output.slice(-2000)}`,
        ),
      )
    child.once('exit', onExit)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
      log.write(chunk)
    })
    let pending = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8')
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        output += `${line}\n`
        if (line.startsWith('{')) log.write(`${line}\n`)
        else if (line.trim() !== '') console.log(`  │ ${line}`)
        firstAdminKey ??= /Admin key \(shown once, keep it\): (agb_\w+)/.exec(line)?.[1]
        const listening = /"url":"(http:\/\/[^"]+)".*"msg":"listening"/.exec(line)
        if (listening?.[1] !== undefined) {
          child.off('exit', onExit)
          // The banner follows the listening line; give it a moment to arrive in order.
          setTimeout(
            () =>
              resolve({
                url: listening[1] as string,
                get firstAdminKey() {
                  return firstAdminKey
                },
                child,
                stop: () =>
                  new Promise((done) => {
                    if (child.exitCode !== null) return done()
                    child.once('exit', () => {
                      log.end()
                      done()
                    })
                    child.kill('SIGTERM')
                  }),
              }),
            100,
          )
        }
      }
    })
  })
}
