import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The built bin, `dist/cli.js`: these tests run what `npx -y @agentbill/mcp` runs. */
export const CLI_PATH = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

/** The version the build injects, from package.json. */
export const PACKAGE_VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version

/** Fails with a useful message when the package has not been built. */
export function requireBuiltCli(): string {
  if (!existsSync(CLI_PATH)) {
    throw new Error(
      `${CLI_PATH} is missing: build first (npx turbo run build --filter=@agentbill/mcp...)`,
    )
  }
  return CLI_PATH
}

/** What a finished `agentbill-mcp` process printed and how it exited. */
export interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the built CLI to its end (for start-up errors, `--help`, `--version`). */
export function runCli(args: string[], env: Record<string, string>): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [requireBuiltCli(), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
