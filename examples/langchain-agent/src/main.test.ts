import { runExample } from '@agentbill/example-support'
import { expect, it } from 'vitest'

it('runs a LangChain agent under one run ceiling until the next model call would pass it', async () => {
  const run = await runExample(new URL('./main.ts', import.meta.url))
  expect(run.code).toBe(0)
  // LangChain itself prints one line for the handler's refusal; nothing else may reach stderr.
  expect(run.stderr.trim().split('\n')).toEqual([
    expect.stringContaining(
      "Error in handler AgentBillCallbackHandler, handleLLMStart: BudgetExceededError: Blocked: 4 more units would pass the run's ceiling.",
    ),
  ])
  expect(run.stdout).toContain('turn 1: Here is what I found: Order Where is order 1042?')
  expect(run.stdout).toMatch(
    /turn \d: stopped — ceiling_exceeded; the model call that would pass the ceiling was never made\./,
  )
  const summary =
    /(\d+) model calls recorded \((\d+) units of a 10-unit ceiling\), 1 blocked\./.exec(run.stdout)
  expect(summary).not.toBeNull()
  const used = Number(summary?.[2])
  expect(used).toBeLessThanOrEqual(10)
  expect(run.stdout).toContain(`acme: used ${used}, held 0, remaining ${1000 - used}`)
})
