import { AgentBill, AgentBillValidationError } from 'agentbill'
import { describe, expect, it } from 'vitest'
import { agentBillMiddleware } from './agent-bill-middleware'
import type { AgentBillMiddlewareOptions } from './middleware-options'

const client = new AgentBill({ apiKey: 'agb_test', baseUrl: 'http://127.0.0.1:9' })

describe('agentBillMiddleware options', () => {
  it('makes a middleware with wrapGenerate and wrapStream for every major', () => {
    const middleware = agentBillMiddleware({ client, agentId: 'a', ceiling: 0 })
    expect(middleware).toMatchObject({ specificationVersion: 'v3', middlewareVersion: 'v2' })
    expect(typeof middleware.wrapGenerate).toBe('function')
    expect(typeof middleware.wrapStream).toBe('function')
  })

  it.each([
    [{ client: {} }, 'client'],
    [{ client, agentId: '' }, 'agentId'],
    [{ client, customerId: 7 }, 'customerId'],
    [{ client, ceiling: 2.5 }, 'ceiling'],
    [{ client, ceiling: -1 }, 'ceiling'],
    [{ client, units: 'usd' }, 'units'],
    [{ client, policy: () => 1 }, 'policy'],
    [{ client, defaultOutputTokens: -5 }, 'defaultOutputTokens'],
    [{ client, ttlSeconds: Number.NaN }, 'ttlSeconds'],
    [{ client, onError: true }, 'onError'],
    [{ client, agent_id: 'a' }, 'agent_id'],
  ])('refuses %o naming %s, when it is made', (options, param) => {
    const make = () => agentBillMiddleware(options as unknown as AgentBillMiddlewareOptions)
    expect(make).toThrow(AgentBillValidationError)
    expect(make).toThrow(expect.objectContaining({ param }))
  })
})
