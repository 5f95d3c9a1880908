import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type RunningServer, type ServerOptions, startServer } from './server.js'

/** A server for tests: its URL, the first project's admin key, and how to stop it. */
export interface TestServer {
  url: string
  adminKey: string
  projectId: string
  server: RunningServer
  close(): Promise<void>
}

/**
 * Starts a real server in this process on a random loopback port, on a fresh in-memory
 * database (or `options.database`), with logging off and a generous register limit.
 *
 * @example
 * const { url, adminKey, close } = await startTestServer()
 * const bill = new AgentBill({ apiKey: adminKey, baseUrl: url })
 * afterAll(close)
 */
export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    database: ':memory:',
    logger: false,
    registerRateLimit: { max: 10_000, windowSeconds: 60 },
    ...options,
  })
  if (server.bootstrapped === null) {
    await server.close()
    throw new Error('startTestServer needs a new database (the admin key shows only once)')
  }
  return {
    url: server.url,
    adminKey: server.bootstrapped.adminKey,
    projectId: server.bootstrapped.projectId,
    server,
    close: () => server.close(),
  }
}

/** A server running as a child process (`agentbill-server`), for crash and signal tests. */
export interface ServerProcess {
  url: string
  /** Set when this start created the first project. */
  adminKey: string | undefined
  child: ChildProcess
  /** Everything the process wrote to stdout so far. */
  output(): string
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>
}

/** The built CLI next to this module (`dist/cli.js`), also when running from `src/`. */
export function cliPath(): string {
  const beside = fileURLToPath(new URL('./cli.js', import.meta.url))
  if (existsSync(beside)) return beside
  return fileURLToPath(new URL('../dist/cli.js', import.meta.url))
}

/**
 * Starts `agentbill-server` in a child process on a random loopback port and waits for it to
 * listen. Needs the package built (`dist/cli.js`).
 */
export function spawnServerProcess(options: {
  database: string
  args?: string[]
  env?: Record<string, string>
}): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [cliPath(), '--port', '0', '--database', options.database, ...(options.args ?? [])],
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stdout = ''
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
  })
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`agentbill-server exited with ${code} before listening: ${stderr}`))
    child.once('exit', onExit)
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
      const listening = /"url":"(http:\/\/[^"]+)".*"msg":"listening"/.exec(stdout)
      // The admin key banner comes after the listening line on a new database.
      const bannerDone = !stdout.includes('New database') || stdout.includes('API docs')
      if (listening !== null && bannerDone && stdout.includes('database opened')) {
        child.off('exit', onExit)
        resolve({
          url: listening[1] as string,
          adminKey: /Admin key \(shown once, keep it\): (agb_\w+)/.exec(stdout)?.[1],
          child,
          output: () => stdout,
          stop: () =>
            new Promise((resolveStop) => {
              if (child.exitCode !== null) resolveStop(child.exitCode)
              child.once('exit', (code) => resolveStop(code))
              child.kill('SIGTERM')
            }),
        })
      }
    })
  })
}
