import { defaultPolicy } from '@agentbill/tokens'
import { AgentBillValidationError } from 'agentbill'
import { describe, expect, it } from 'vitest'
import { estimateRequest } from './estimate-request'

const settings = { policy: defaultPolicy, defaultOutputTokens: undefined }

describe('estimateRequest', () => {
  it('maps a chat body: messages, tools, and the newer max_completion_tokens first', () => {
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: {} } }]
    const messages = [{ role: 'user', content: 'Hi' }]
    expect(
      estimateRequest(
        'chat.completions',
        { model: 'gpt-4o', messages, tools, max_tokens: 10, max_completion_tokens: 0 },
        settings,
      ),
    ).toMatchObject({ model: 'gpt-4o', messages, tools, maxOutputTokens: 0 })
    expect(
      estimateRequest('chat.completions', { model: 'gpt-4o', messages, max_tokens: 10 }, settings),
    ).toMatchObject({ maxOutputTokens: 10 })
  })

  it('maps a Responses body: input, instructions, max_output_tokens', () => {
    expect(
      estimateRequest(
        'responses',
        { model: 'o3', input: 'Hi', instructions: 'Be brief', max_output_tokens: null },
        { policy: defaultPolicy, defaultOutputTokens: 64 },
      ),
    ).toMatchObject({
      model: 'o3',
      input: 'Hi',
      instructions: 'Be brief',
      maxOutputTokens: null,
      defaultOutputTokens: 64,
    })
  })

  it('refuses a body that is not an object, naming it', () => {
    expect(() => estimateRequest('responses', 'text', settings)).toThrow(AgentBillValidationError)
    expect(() => estimateRequest('chat.completions', undefined, settings)).toThrow(/body/)
  })
})
