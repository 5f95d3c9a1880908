import { BudgetExceededError } from 'agentbill'
import { describe, expect, it } from 'vitest'
import { waitForBudget } from './wait-for-budget'

const blocked = new BudgetExceededError(
  {
    reason: 'ceiling_exceeded',
    remainingUnits: 5,
    estimatedUnits: 9,
    upgradeUrl: null,
    runId: 'run_1',
    preflightId: 'dec_1',
  },
  {},
)

function result(parts: Array<{ type: string; error?: unknown }>) {
  return {
    fullStream: new ReadableStream({
      start(controller) {
        for (const part of parts) controller.enqueue(part)
        controller.close()
      },
    }),
  }
}

describe('waitForBudget', () => {
  it("answers the first call's budget error", async () => {
    await expect(
      waitForBudget(result([{ type: 'start' }, { type: 'error', error: blocked }])),
    ).resolves.toBe(blocked)
  })

  it('answers undefined once the model answers, or for another error', async () => {
    await expect(
      waitForBudget(result([{ type: 'start' }, { type: 'start-step' }])),
    ).resolves.toBeUndefined()
    await expect(
      waitForBudget(result([{ type: 'start' }, { type: 'error', error: new Error('401') }])),
    ).resolves.toBeUndefined()
    await expect(waitForBudget(result([]))).resolves.toBeUndefined()
  })
})
