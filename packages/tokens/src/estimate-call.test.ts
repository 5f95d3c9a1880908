import { getEncoding, type Tiktoken } from 'js-tiktoken'
import { beforeAll, describe, expect, it } from 'vitest'
import { corpus } from './__fixtures__/corpus'
import { preloadTokenizer } from './count-tokens'
import { estimateCall, estimateCallSync } from './estimate-call'
import { InvalidArgumentError } from './invalid-argument-error'
import type { ChatMessage, ToolDefinition } from './message-types'
import { tokensPolicy } from './tokens-policy'
import { usd } from './usd-policy'

let o200k: Tiktoken
let cl100k: Tiktoken
beforeAll(async () => {
  o200k = getEncoding('o200k_base')
  cl100k = getEncoding('cl100k_base')
  await Promise.all([preloadTokenizer('gpt-4o'), preloadTokenizer('gpt-4')])
})

/**
 * OpenAI cookbook, "How to count tokens with tiktoken", num_tokens_from_messages — transcribed:
 * tokens_per_message = 3; tokens_per_name = 1; for each message, for each key/value, add
 * len(encode(value)), plus tokens_per_name for "name"; finally 3 for the reply priming.
 */
type TextMessage = { role: string; content: string; name?: string }

function cookbookCount(encoding: Tiktoken, messages: TextMessage[]): number {
  let tokens = 0
  for (const message of messages) {
    tokens += 3
    for (const [key, value] of Object.entries(message)) {
      if (typeof value !== 'string') continue
      tokens += encoding.encode(value, [], []).length
      if (key === 'name') tokens += 1
    }
  }
  return tokens + 3
}

const english = corpus.find(([name]) => name === 'english')?.[1] ?? ''
const cjk = corpus.find(([name]) => name === 'cjk')?.[1] ?? ''
const conversations: TextMessage[][] = [
  [{ role: 'user', content: 'Hello!' }],
  [
    { role: 'system', content: 'You are a helpful, pattern-following assistant.' },
    {
      role: 'system',
      name: 'example_user',
      content: 'New synergies will help drive top-line growth.',
    },
    {
      role: 'system',
      name: 'example_assistant',
      content: 'Things working well together will increase revenue.',
    },
    { role: 'user', content: "This late pivot means we don't have time to boil the ocean." },
  ],
  [
    { role: 'developer', content: english },
    { role: 'user', content: cjk },
    { role: 'assistant', content: 'Sure — 好的。' },
    { role: 'user', name: 'alice', content: '' },
  ],
]

describe('chat overhead matches the OpenAI cookbook for text messages', () => {
  conversations.forEach((messages, index) => {
    it(`conversation ${index}: gpt-4o (o200k) and gpt-4 (cl100k)`, async () => {
      const forGpt4o = await estimateCall({ model: 'gpt-4o', messages })
      expect(forGpt4o.promptTokens).toBe(cookbookCount(o200k, messages))
      expect(forGpt4o.exact).toBe(true)
      expect(forGpt4o.method).toBe('tokenizer')
      const forGpt4 = await estimateCall({
        model: 'gpt-4-0613',
        messages,
      })
      expect(forGpt4.promptTokens).toBe(cookbookCount(cl100k, messages))
    })
  })

  it('counts text parts of array content like the same text as a string', async () => {
    const asString = await estimateCall({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Describe this.' }],
    })
    const asParts = await estimateCall({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe this.' }] }],
    })
    expect(asParts.promptTokens).toBe(asString.promptTokens)
  })

  it('counts a Responses input string and instructions like chat messages', async () => {
    const responses = await estimateCall({
      model: 'gpt-4o',
      instructions: 'Be brief.',
      input: 'Hello!',
    })
    expect(responses.promptTokens).toBe(
      cookbookCount(o200k, [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello!' },
      ]),
    )
  })

  it('maps Responses items: messages, input_text parts, function calls and outputs', async () => {
    const responses = await estimateCall({
      model: 'gpt-4o',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] },
        {
          type: 'function_call',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
          call_id: 'c1',
        },
        { type: 'function_call_output', call_id: 'c1', output: '{"celsius":21}' },
      ],
    })
    const chat = await estimateCall({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          tool_calls: [{ function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: '{"celsius":21}' },
      ],
    })
    expect(responses.promptTokens).toBe(chat.promptTokens)
    expect(responses.exact).toBe(true)
  })
})

describe('tool schemas', () => {
  const parameters = {
    type: 'object' as const,
    properties: {
      location: {
        type: 'string' as const,
        description: 'The city and state, e.g. San Francisco, CA',
      },
      unit: { type: 'string' as const, enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer' as const, description: 'Forecast days' },
      hourly: { type: 'boolean' as const },
      tags: { type: 'array' as const, items: { type: 'string' as const } },
    },
    required: ['location'],
  }
  const messages: ChatMessage[] = [
    { role: 'system', content: 'You are a weather bot.' },
    { role: 'user', content: 'What is the weather like in Boston?' },
  ]

  it('equals gpt-tokenizer countChatCompletionTokens (hmarr/openai-chat-tokens rule) for flat schemas', async () => {
    const { countChatCompletionTokens } = await import('gpt-tokenizer/model/gpt-4o')
    const reference = countChatCompletionTokens?.({
      messages: messages.map((message) => ({
        role: message.role,
        content: String(message.content),
      })),
      functions: [
        { name: 'get_weather', description: 'Get the current weather', parameters },
        { name: 'get_time' },
      ],
    })
    const tools: ToolDefinition[] = [
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Get the current weather', parameters },
      },
      { type: 'function', function: { name: 'get_time' } },
    ]
    const estimate = await estimateCall({ model: 'gpt-4o', messages, tools })
    expect(reference).toBeTypeOf('number')
    expect(estimate.promptTokens).toBe(reference)
  })

  it('counts the Chat, Responses and AI SDK tool forms the same', async () => {
    const chat = await estimateCall({
      model: 'gpt-4o',
      messages,
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters } },
      ],
    })
    const responses = await estimateCall({
      model: 'gpt-4o',
      messages,
      tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters }],
    })
    const aiSdk = await estimateCall({
      model: 'gpt-4o',
      messages,
      tools: [
        { type: 'function', name: 'get_weather', description: 'Weather', inputSchema: parameters },
      ],
    })
    expect(responses.promptTokens).toBe(chat.promptTokens)
    expect(aiSdk.promptTokens).toBe(chat.promptTokens)
    expect(chat.promptTokens).toBeGreaterThan(
      (await estimateCall({ model: 'gpt-4o', messages })).promptTokens + 20,
    )
  })

  it('counts a built-in tool from its JSON and marks the estimate inexact', async () => {
    const estimate = await estimateCall({
      model: 'gpt-4o',
      messages,
      tools: [{ type: 'web_search' }],
    })
    const without = await estimateCall({ model: 'gpt-4o', messages })
    expect(estimate.promptTokens).toBe(
      without.promptTokens + o200k.encode('{"type":"web_search"}').length,
    )
    expect(estimate.exact).toBe(false)
  })

  it('adds Anthropic’s tool-use system prompt when tools are declared', async () => {
    const tools: ToolDefinition[] = [
      { type: 'function', name: 'noop', inputSchema: { type: 'object' } },
    ]
    const with_ = await estimateCall({ model: 'claude-sonnet-4-5', messages, tools })
    const without = await estimateCall({ model: 'claude-sonnet-4-5', messages })
    expect(with_.promptTokens - without.promptTokens).toBeGreaterThanOrEqual(346)
  })
})

describe('images and other parts', () => {
  it('counts an image of unknown size at the worst case for high detail and the base for low', async () => {
    const text = await estimateCall({ model: 'gpt-4o', messages: [{ role: 'user', content: [] }] })
    const high = await estimateCall({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }],
        },
      ],
    })
    const low = await estimateCall({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
          ],
        },
      ],
    })
    expect(high.promptTokens - text.promptTokens).toBe(85 + 8 * 170)
    expect(high.exact).toBe(false)
    expect(low.promptTokens - text.promptTokens).toBe(85)
    expect(low.exact).toBe(true)
  })

  it('reads the size from a data URL and counts tiles exactly', async () => {
    const png = new Uint8Array(24)
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
    new DataView(png.buffer).setUint32(16, 1024)
    new DataView(png.buffer).setUint32(20, 1024)
    const url = `data:image/png;base64,${btoa(String.fromCharCode(...png))}`
    const text = await estimateCall({ model: 'gpt-4o', messages: [{ role: 'user', content: [] }] })
    const image = await estimateCall({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
    })
    expect(image.promptTokens - text.promptTokens).toBe(765) // OpenAI's worked example: 1024² high
    expect(image.exact).toBe(true)
    const bytes = await estimateCall({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: [{ type: 'image', data: png }] }],
    })
    expect(bytes.promptTokens - text.promptTokens).toBe(2833 + 4 * 5667)
  })

  it('counts audio and files as the stated constant and marks the estimate inexact', async () => {
    const text = await estimateCall({ model: 'gpt-4o', messages: [{ role: 'user', content: [] }] })
    const file = await estimateCall({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }],
    })
    expect(file.promptTokens - text.promptTokens).toBe(1000)
    expect(file.exact).toBe(false)
  })
})

describe('output allowance and units', () => {
  const messages: ChatMessage[] = [{ role: 'user', content: 'Hello!' }]

  it('uses the request cap, clamps it to the model max, and takes 0 as a cap', async () => {
    expect(
      (await estimateCall({ model: 'gpt-4o', messages, maxOutputTokens: 300 })).outputAllowance,
    ).toBe(300)
    expect(
      (await estimateCall({ model: 'gpt-4o', messages, maxOutputTokens: 1_000_000 }))
        .outputAllowance,
    ).toBe(16384)
    expect(
      (await estimateCall({ model: 'gpt-4o', messages, maxOutputTokens: 0 })).outputAllowance,
    ).toBe(0)
  })

  it('defaults per model without a cap, never the whole budget', async () => {
    expect((await estimateCall({ model: 'gpt-4o', messages })).outputAllowance).toBe(4096)
    expect((await estimateCall({ model: 'o3', messages })).outputAllowance).toBe(8192)
    expect((await estimateCall({ model: 'gpt-4-0613', messages })).outputAllowance).toBe(4096)
    expect((await estimateCall({ model: 'my-local-model', messages })).outputAllowance).toBe(4096)
    expect(
      (await estimateCall({ model: 'gpt-4o', messages, defaultOutputTokens: 512 })).outputAllowance,
    ).toBe(512)
  })

  it('applies the policy to prompt + allowance', async () => {
    const estimate = await estimateCall({
      model: 'gpt-4o',
      messages,
      maxOutputTokens: 1000,
      policy: tokensPolicy({ tokensPerUnit: 1 }),
    })
    expect(estimate.units).toBe(estimate.promptTokens + 1000)
    expect(estimate.usage).toEqual({
      inputTokens: estimate.promptTokens,
      cachedInputTokens: 0,
      outputTokens: 1000,
      reasoningTokens: 0,
    })
    const priced = await estimateCall({
      model: 'gpt-4o',
      messages,
      maxOutputTokens: 1000,
      policy: usd,
    })
    // 9 prompt tokens × $2.50/M + 1000 × $10/M = $0.0100225 → 11 units of $0.001
    expect(priced.promptTokens).toBe(9)
    expect(priced.units).toBe(11)
  })
})

describe('the synchronous estimate', () => {
  it('is exact once the encoding is loaded and otherwise never below it', () => {
    const request = {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: english }] as ChatMessage[],
    }
    const sync = estimateCallSync(request)
    expect(sync.method).toBe('tokenizer')
    expect(sync.promptTokens).toBe(cookbookCount(o200k, [{ role: 'user', content: english }]))
  })
})

describe('bad input', () => {
  it('names the field', async () => {
    const cases: [unknown, string][] = [
      [{ messages: [] }, 'model'],
      [{ model: 'gpt-4o' }, 'messages'],
      [{ model: 'gpt-4o', messages: [{ content: 'x' }] }, 'messages[0].role'],
      [{ model: 'gpt-4o', messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'],
      [
        { model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'text', text: 1 }] }] },
        'messages[0].content[0].text',
      ],
      [{ model: 'gpt-4o', messages: [], input: 'x' }, 'input'],
      [{ model: 'gpt-4o', messages: [], maxOutputTokens: -1 }, 'maxOutputTokens'],
      [{ model: 'gpt-4o', messages: [], maxOutputTokens: 1.5 }, 'maxOutputTokens'],
      [{ model: 'gpt-4o', messages: [], tools: [null] }, 'tools[0]'],
      [{ model: 'gpt-4o', messages: [], policy: () => 0.5 }, 'policy'],
      [{ model: 'gpt-4o', messages: [], remainingUnits: -1 }, 'remainingUnits'],
    ]
    for (const [request, field] of cases) {
      const error = await estimateCall(request as Parameters<typeof estimateCall>[0]).catch(
        (caught: unknown) => caught,
      )
      expect(InvalidArgumentError.isInstance(error), `expected an error for ${field}`).toBe(true)
      expect((error as InvalidArgumentError).field).toBe(field)
    }
  })
})
