import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AgentBill } from 'agentbill'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { cliPath, type ServerProcess, spawnServerProcess } from '../src/testing.js'

const directory = mkdtempSync(join(tmpdir(), 'agentbill-crash-'))
const database = join(directory, 'ledger.db')
const children: ServerProcess[] = []
afterAll(async () => {
  for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGKILL')
  rmSync(directory, { recursive: true, force: true })
})

describe('crash safety', () => {
  it('keeps every record answered 2xx when the server is killed mid-stream', async () => {
    expect(existsSync(cliPath()), 'build the package first (dist/cli.js)').toBe(true)
    const first = await spawnServerProcess({ database })
    children.push(first)
    const adminKey = first.adminKey as string
    const bill = new AgentBill({
      apiKey: adminKey,
      baseUrl: first.url,
      maxRetries: 0,
      timeoutMs: 5000,
      onError: () => {},
    })
    const answered = new Map<string, number>()
    let killed = false
    const writer = async (worker: number) => {
      for (let index = 0; !killed; index++) {
        const idempotencyKey = `w${worker}-${index}`
        const units = (index % 5) + 1
        const result = await bill
          .record({
            agentId: `agent-${worker}`,
            customerId: `c${worker % 3}`,
            units,
            idempotencyKey,
          })
          .catch(() => undefined)
        if (result !== undefined && !result.queued) answered.set(idempotencyKey, units)
        if (answered.size >= 400 && !killed) {
          killed = true
          first.child.kill('SIGKILL')
        }
      }
    }
    await Promise.all(Array.from({ length: 12 }, (_, worker) => writer(worker)))
    if (first.child.exitCode === null && first.child.signalCode === null) {
      await new Promise((resolve) => first.child.once('exit', resolve))
    }
    expect(first.child.signalCode).toBe('SIGKILL')

    const second = await spawnServerProcess({ database })
    children.push(second)
    expect(second.adminKey).toBeUndefined()
    const after = new AgentBill({
      apiKey: adminKey,
      baseUrl: second.url,
      maxRetries: 0,
      onError: () => {},
    })
    const stored = new Map<string, number>()
    for (const customerId of ['c0', 'c1', 'c2']) {
      let cursor: string | undefined
      for (;;) {
        const page = await after.admin.events.list({
          customerId,
          limit: 200,
          ...(cursor === undefined ? {} : { startingAfter: cursor }),
        })
        for (const event of page.data) stored.set(event.idempotencyKey as string, event.units)
        if (!page.hasMore) break
        cursor = page.data.at(-1)?.id
      }
      // The counter equals the events after the crash.
      const balance = await after.balance(customerId)
      const units = [...stored.entries()].filter(
        ([key]) => Number(key.split('-')[0]?.slice(1)) % 3 === Number(customerId.slice(1)),
      )
      expect(balance.usedUnits).toBe(units.reduce((sum, [, value]) => sum + value, 0))
    }
    const missing = [...answered.keys()].filter((key) => stored.get(key) !== answered.get(key))
    expect(missing).toEqual([])
    expect(answered.size).toBeGreaterThanOrEqual(400)
    expect(await second.stop()).toBe(0)

    const reader = new Database(database, { readonly: true })
    expect(reader.pragma('integrity_check', { simple: true })).toBe('ok')
    reader.close()
  })
})
