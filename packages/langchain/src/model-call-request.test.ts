import {
  AIMessage,
  ChatMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from '@langchain/core/messages'
import { describe, expect, it } from 'vitest'
import { chatModelCallRequest, llmCallRequest } from './model-call-request'

const serialized = (className: string, kwargs: Record<string, unknown> = {}) => ({
  lc: 1 as const,
  type: 'constructor' as const,
  id: ['langchain', 'chat_models', className],
  kwargs,
})

describe('chatModelCallRequest', () => {
  it('maps every message type to OpenAI chat messages', () => {
    const request = chatModelCallRequest(
      serialized('ChatOpenAI'),
      [
        new SystemMessage('Be brief.'),
        new HumanMessage({ content: 'Weather?', name: 'ann' }),
        new AIMessage({
          content: '',
          tool_calls: [{ name: 'weather', args: { city: 'Oslo' }, id: 'call_1' }],
        }),
        new ToolMessage({ content: 'Snow', tool_call_id: 'call_1' }),
        new ChatMessage({ content: 'Note', role: 'critic' }),
      ],
      { invocation_params: { model: 'gpt-4o' } },
      undefined,
    )
    expect(request.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather?', name: 'ann' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', content: 'Snow', tool_call_id: 'call_1' },
      { role: 'critic', content: 'Note' },
    ])
  })

  it('passes array content and the declared tools through', () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }]
    const content = [
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
    ]
    const request = chatModelCallRequest(
      serialized('ChatOpenAI'),
      [new HumanMessage({ content })],
      { invocation_params: { model: 'gpt-4o', tools } },
      undefined,
    )
    expect(request.messages?.[0]?.content).toEqual(content)
    expect(request.tools).toEqual(tools)
  })

  it('finds the model id and output cap wherever the integration puts them', () => {
    const none = chatModelCallRequest(serialized('ChatFancy'), [], {}, undefined)
    expect(none).toMatchObject({ model: 'ChatFancy', maxOutputTokens: null })
    expect(
      chatModelCallRequest(serialized('ChatFancy', { model: 'fancy-1' }), [], {}, undefined).model,
    ).toBe('fancy-1')
    expect(
      chatModelCallRequest(
        serialized('ChatFancy'),
        [],
        {},
        {
          ls_model_name: 'claude-sonnet-4-5',
          ls_max_tokens: 300,
        },
      ),
    ).toMatchObject({ model: 'claude-sonnet-4-5', maxOutputTokens: 300 })
    expect(
      chatModelCallRequest(
        serialized('ChatOpenAI'),
        [],
        { invocation_params: { model: 'o3', max_completion_tokens: 2000 } },
        { ls_max_tokens: 5 },
      ),
    ).toMatchObject({ model: 'o3', maxOutputTokens: 2000 })
    // -1 means "no cap" to some integrations.
    expect(
      chatModelCallRequest(serialized('X'), [], { invocation_params: { max_tokens: -1 } }, {})
        .maxOutputTokens,
    ).toBeNull()
  })
})

describe('llmCallRequest', () => {
  it('counts a completion prompt as one user message', () => {
    expect(
      llmCallRequest(
        serialized('OpenAI'),
        'Once upon a time',
        {
          invocation_params: { model: 'gpt-3.5-turbo-instruct', max_tokens: 64 },
        },
        undefined,
      ),
    ).toEqual({
      model: 'gpt-3.5-turbo-instruct',
      messages: [{ role: 'user', content: 'Once upon a time' }],
      maxOutputTokens: 64,
    })
  })
})
