import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** What an example printed, and how it exited. */
export interface ExampleRun {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs an example's entry file the way its README says (`tsx <file>`), with a clean environment
 * (no OpenAI or AgentBill variables unless given), and collects what it printed. For the tests
 * that check every example's output.
 */
export function runExample(
  entry: URL,
  {
    env = {},
    args = [],
    timeoutMs = 60_000,
  }: { env?: Record<string, string>; args?: string[]; timeoutMs?: number } = {},
): Promise<ExampleRun> {
  const tsx = fileURLToPath(import.meta.resolve('tsx/cli'))
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('OPENAI_') && !name.startsWith('AGENTBILL_'),
    ),
  )
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, fileURLToPath(entry), ...args], {
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `The example did not finish in ${timeoutMs} ms.\nstdout:\n${stdout}\nstderr:\n${stderr}`,
        ),
      )
    }, timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
