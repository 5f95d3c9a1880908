import { AgentBill, AgentBillValidationError } from 'agentbill'
import { describe, expect, it } from 'vitest'
import { AgentBillCallbackHandler } from './agent-bill-callback-handler'
import type { AgentBillCallbackHandlerOptions } from './agent-bill-callback-handler-options'

// Behaviour against the real server is tested under test/; these are the constructor's checks.
const client = new AgentBill({ apiKey: 'agb_test_key', baseUrl: 'http://127.0.0.1:9' })

function refusal(options: unknown): unknown {
  try {
    new AgentBillCallbackHandler(options as AgentBillCallbackHandlerOptions)
  } catch (error) {
    return error
  }
  return undefined
}

describe('AgentBillCallbackHandler', () => {
  it('is built so that LangChain awaits it and rethrows its errors (what blocks a call)', () => {
    const handler = new AgentBillCallbackHandler({ client, agentId: 'a' })
    expect(handler.raiseError).toBe(true)
    expect(handler.awaitHandlers).toBe(true)
    expect(handler.copy()).toBe(handler)
    expect(handler.openRuns).toBe(0)
  })

  it('accepts 0 as a ceiling', () => {
    expect(refusal({ client, ceiling: 0 })).toBeUndefined()
  })

  it.each([
    [{ client: {} }, 'client'],
    [{ client, ceiling: 1.5 }, 'ceiling'],
    [{ client, ceiling: -1 }, 'ceiling'],
    [{ client, agentId: '' }, 'agentId'],
    [{ client, customerId: 7 }, 'customerId'],
    [{ client, defaultOutputTokens: 0 }, 'defaultOutputTokens'],
    [{ client, ttlSeconds: 0.5 }, 'ttlSeconds'],
    [{ client, units: 'usd' }, 'units'],
    [{ client, policy: () => 1 }, 'policy'],
    [{ client, onError: true }, 'onError'],
    [{ client, customerID: 'c' }, 'customerID'],
  ])('refuses %o, naming %s', (options, param) => {
    const error = refusal(options)
    expect(AgentBillValidationError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ param })
  })
})
