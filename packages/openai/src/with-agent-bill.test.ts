import { AgentBill, AgentBillValidationError } from 'agentbill'
import OpenAI, { AzureOpenAI } from 'openai'
import { describe, expect, it } from 'vitest'
import { withAgentBill } from './with-agent-bill'

// Constructing clients sends nothing: these tests need no server.
const bill = new AgentBill({ apiKey: 'agb_test', baseUrl: 'http://127.0.0.1:9' })
const openai = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1' })

describe('withAgentBill', () => {
  it('returns a copy of the same class, with the same settings, leaving the original as it was', () => {
    const keys = Reflect.ownKeys(openai)
    const gated = withAgentBill(openai, { client: bill, agentId: 'a' })
    expect(gated).not.toBe(openai)
    expect(gated).toBeInstanceOf(OpenAI)
    expect(gated.baseURL).toBe(openai.baseURL)
    expect(gated.apiKey).toBe('sk-test')
    expect(Object.getPrototypeOf(openai)).toBe(OpenAI.prototype)
    expect(Reflect.ownKeys(openai)).toEqual(keys)
  })

  it('keeps a subclass such as AzureOpenAI', () => {
    const azure = new AzureOpenAI({
      apiKey: 'key',
      endpoint: 'http://127.0.0.1:9',
      apiVersion: '2024-10-21',
      deployment: 'gpt-4o',
    })
    const gated = withAgentBill(azure, { client: bill, agentId: 'a' })
    expect(gated).toBeInstanceOf(AzureOpenAI)
    expect(gated.withOptions({ timeout: 1 })).toBeInstanceOf(AzureOpenAI)
  })

  it('refuses to wrap a wrapped client', () => {
    const gated = withAgentBill(openai, { client: bill, agentId: 'a' })
    expect(() => withAgentBill(gated, { client: bill })).toThrow(/already wrapped/)
    expect(() => withAgentBill(gated.withOptions({}), { client: bill })).toThrow(/already wrapped/)
  })

  it.each([
    [{ client: {} }, 'client'],
    [{ client: bill, agentId: '' }, 'agentId'],
    [{ client: bill, customerId: 3 }, 'customerId'],
    [{ client: bill, ceiling: -1 }, 'ceiling'],
    [{ client: bill, ceiling: 1.5 }, 'ceiling'],
    [{ client: bill, defaultOutputTokens: 0 }, 'defaultOutputTokens'],
    [{ client: bill, ttlSeconds: 0 }, 'ttlSeconds'],
    [{ client: bill, units: 'tokens' }, 'units'],
    [{ client: bill, includeUsage: 'yes' }, 'includeUsage'],
    [{ client: bill, customer: 'typo' }, 'customer'],
  ])('refuses %j, naming %s', (options, param) => {
    const error = (() => {
      try {
        withAgentBill(openai, options as unknown as Parameters<typeof withAgentBill>[1])
      } catch (caught) {
        return caught
      }
    })()
    expect(AgentBillValidationError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ param })
  })

  it('accepts 0 as a ceiling', () => {
    expect(() => withAgentBill(openai, { client: bill, ceiling: 0 })).not.toThrow()
  })

  it('refuses something that is not an OpenAI client', () => {
    expect(() => withAgentBill({} as OpenAI, { client: bill })).toThrow(/OpenAI client/)
  })
})
