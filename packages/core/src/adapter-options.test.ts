import { describe, expect, it } from 'vitest'
import { resolveAdapterOptions } from './adapter-options'
import { AgentBill } from './agent-bill'
import { AgentBillValidationError } from './errors/agent-bill-validation-error'

const client = new AgentBill({ apiKey: 'agb_test', baseUrl: 'http://127.0.0.1:9' })

describe('resolveAdapterOptions', () => {
  it('turns agent, customer and ceiling into call defaults, keeping 0 as a value', () => {
    expect(
      resolveAdapterOptions(
        { client, agentId: 'a', customerId: 'c', ceiling: 0, ttlSeconds: 60 },
        'adapter',
      ),
    ).toEqual({
      client,
      defaults: { agentId: 'a', customerId: 'c', ceiling: 0 },
      defaultOutputTokens: undefined,
      ttlSeconds: 60,
    })
  })

  it.each([
    [{ client: {} }, 'client'],
    [{ client, agentId: '' }, 'agentId'],
    [{ client, customerId: 7 }, 'customerId'],
    [{ client, ceiling: 2.5 }, 'ceiling'],
    [{ client, ceiling: -1 }, 'ceiling'],
    [{ client, units: 'usd' }, 'units'],
    [{ client, defaultOutputTokens: 0 }, 'defaultOutputTokens'],
    [{ client, ttlSeconds: Number.NaN }, 'ttlSeconds'],
    [{ client, policy: () => 1 }, 'policy'],
    [{ client, agent_id: 'a' }, 'agent_id'],
  ])('refuses %o naming %s', (options, param) => {
    const resolve = () => resolveAdapterOptions(options, 'adapter', ['onError'])
    expect(resolve).toThrow(AgentBillValidationError)
    expect(resolve).toThrow(expect.objectContaining({ param }))
  })

  it("accepts the adapter's own extra keys", () => {
    expect(() =>
      resolveAdapterOptions({ client, onError: () => {} }, 'adapter', ['onError']),
    ).not.toThrow()
  })
})
