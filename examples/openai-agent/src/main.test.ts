import { runExample } from '@agentbill/example-support'
import { expect, it } from 'vitest'

it('runs a tool-using agent until its run ceiling blocks the next model call, with the ledger exact', async () => {
  const run = await runExample(new URL('./main.ts', import.meta.url))
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  expect(run.stdout).toContain('Here is what I found: Docs on')
  expect(run.stdout).toContain(
    'The run stopped at its ceiling: ceiling_exceeded. The next model call was never made.',
  )
  const approvedCalls = [...run.stdout.matchAll(/model call: approved, estimate (\d+) units/g)]
  const blockedCalls = [
    ...run.stdout.matchAll(/model call: BLOCKED \(ceiling_exceeded\), estimate (\d+) units/g),
  ]
  expect(blockedCalls).toHaveLength(1)
  const summary = /(\d+) model calls recorded, (\d+) units used of a 12-unit ceiling\./.exec(
    run.stdout,
  )
  // One event per model call that ran; the blocked one never reached the model.
  expect(Number(summary?.[1])).toBe(approvedCalls.length)
  const used = Number(summary?.[2])
  expect(used).toBeLessThanOrEqual(12)
  // The blocked call's estimate really would have passed the ceiling.
  expect(used + Number(blockedCalls[0]?.[1])).toBeGreaterThan(12)
  expect(run.stdout).toContain(`acme: used ${used}, reserved 0, remaining ${1000 - used}`)
})
