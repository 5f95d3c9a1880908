import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveCliConfig } from '../src/config.js'
import { cliPath, spawnServerProcess } from '../src/testing.js'

const directory = mkdtempSync(join(tmpdir(), 'agentbill-cli-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

describe('agentbill-server CLI', () => {
  it('prints the first admin key once, never logs a key, and drains on SIGTERM', async () => {
    expect(existsSync(cliPath()), 'build the package first (dist/cli.js)').toBe(true)
    const database = join(directory, 'cli.db')
    const first = await spawnServerProcess({ database })
    const adminKey = first.adminKey as string
    expect(adminKey).toMatch(/^agb_/)
    expect(first.output()).toContain(`${first.url}/docs`)
    const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }
    const created = (await (
      await fetch(`${first.url}/v1/keys`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'x' }),
      })
    ).json()) as { key: string }
    // Requests in flight when SIGTERM arrives are answered before the process exits.
    const inFlight = Array.from({ length: 50 }, (_, index) =>
      fetch(`${first.url}/v1/record`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ agent_id: 'a', units: 1, idempotency_key: `drain-${index}` }),
      }).then((response) => response.status),
    )
    await new Promise((resolve) => setTimeout(resolve, 5))
    const exit = first.stop()
    const statuses = await Promise.allSettled(inFlight)
    expect(await exit).toBe(0)
    const answered = statuses.filter((result) => result.status === 'fulfilled')
    for (const result of answered) expect(result.value).toBe(201)
    // A clean close checkpoints and removes the WAL.
    expect(existsSync(`${database}-wal`)).toBe(false)
    const logs = first.output()
    const logLines = logs.split('\n').filter((line) => line.startsWith('{'))
    expect(logLines.some((line) => line.includes('"msg":"listening"'))).toBe(true)
    for (const line of logLines) {
      expect(line).not.toContain(adminKey)
      expect(line).not.toContain(created.key)
    }

    const second = await spawnServerProcess({ database })
    expect(second.adminKey).toBeUndefined()
    expect(second.output()).not.toContain('agb_')
    const count = (await (
      await fetch(`${second.url}/v1/events?limit=200`, { headers })
    ).json()) as {
      data: unknown[]
    }
    // Every answered record is stored (a request cut off by the close may be stored unanswered).
    expect(count.data.length).toBeGreaterThanOrEqual(answered.length)
    expect(answered.length).toBeGreaterThan(0)
    expect(await second.stop()).toBe(0)
  })

  it('takes PORT, HOST and DATABASE_URL from the environment; flags win', () => {
    expect(
      resolveCliConfig([], { PORT: '9999', HOST: '0.0.0.0', DATABASE_URL: 'sqlite:./x.db' }),
    ).toMatchObject({
      port: 9999,
      host: '0.0.0.0',
      database: './x.db',
      synchronous: 'FULL',
      fsync: 'background',
    })
    expect(
      resolveCliConfig(['--port', '0', '--database', ':memory:'], { PORT: '9999' }),
    ).toMatchObject({
      port: 0,
      database: ':memory:',
    })
    expect(resolveCliConfig([], {})).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      database: './.agentbill/agentbill.db',
    })
    expect(() => resolveCliConfig(['--port', 'eighty'], {})).toThrow(/--port/)
    expect(() => resolveCliConfig(['--synchronous', 'OFF'], {})).toThrow(/--synchronous/)
    expect(() => resolveCliConfig(['--verbose'], {})).toThrow()
  })

  it('runs on :memory: and exits 2 on a bad flag', async () => {
    const memory = await spawnServerProcess({ database: ':memory:' })
    expect(memory.adminKey).toMatch(/^agb_/)
    expect(await memory.stop()).toBe(0)
    const bad = spawn(process.execPath, [cliPath(), '--port', 'x'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    bad.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    const code = await new Promise((resolve) => bad.once('exit', resolve))
    expect(code).toBe(2)
    expect(stderr).toContain('--port must be an integer')
  })
})
