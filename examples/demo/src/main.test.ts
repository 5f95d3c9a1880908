import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runExample } from '@agentbill/example-support'
import { expect, it } from 'vitest'

it('starts the server on a SQLite file, spends a budget until preflight blocks, and reuses its project', async () => {
  const home = mkdtempSync(join(tmpdir(), 'agentbill-demo-'))
  const run = await runExample(new URL('./main.ts', import.meta.url), {
    args: ['--once', '--port', '0'],
    env: { INIT_CWD: home },
    timeoutMs: 120_000,
  })
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  expect(existsSync(join(home, '.agentbill', 'agentbill.db'))).toBe(true)
  expect(run.stdout).toContain('Admin key (shown once, keep it): agb_')
  expect(run.stdout).toContain('Registered the demo project')
  expect(run.stdout).toContain('using a local OpenAI-compatible model')
  const approved = [
    ...run.stdout.matchAll(/#\s*(\d+)\s+approved\s+→ used so far\s+(\d+) units, (\d+) left/g),
  ]
  const blocked =
    /#\s*(\d+)\s+BLOCKED\s+→ budget_exhausted: (\d+) units left, this call needs (\d+)\. The model was never called\./.exec(
      run.stdout,
    )
  expect(approved.length).toBeGreaterThan(2)
  expect(blocked).not.toBeNull()
  // The blocked call comes right after the last approved one, and it really did not fit.
  expect(Number(blocked?.[1])).toBe(approved.length + 1)
  expect(Number(blocked?.[3])).toBeGreaterThan(Number(blocked?.[2]))
  const lastUsed = Number(approved.at(-1)?.[2])
  expect(run.stdout).toContain(
    `Ledger: ${approved.length} calls recorded (${lastUsed} units), 1 blocked preflight.`,
  )
  // Nothing was left held: used plus what is left is the budget.
  expect(lastUsed + Number(approved.at(-1)?.[3])).toBe(40)
  const saved = JSON.parse(readFileSync(join(home, '.agentbill', 'demo.json'), 'utf8')) as {
    key: string
  }
  expect(saved.key).toMatch(/^agb_/)

  const again = await runExample(new URL('./main.ts', import.meta.url), {
    args: ['--once', '--port', '0'],
    env: { INIT_CWD: home },
    timeoutMs: 120_000,
  })
  expect(again.code).toBe(0)
  expect(again.stdout).toContain('Reusing the demo project')
  expect(again.stdout).not.toContain('Admin key (shown once')
})
