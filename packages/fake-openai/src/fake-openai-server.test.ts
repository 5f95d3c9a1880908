import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai-server'

let fake: FakeOpenAI
let openai: OpenAI
beforeAll(async () => {
  fake = await startFakeOpenAI()
  openai = new OpenAI({ apiKey: 'sk-fake', baseURL: fake.baseURL, maxRetries: 2 })
})
beforeEach(() => fake.reset())
afterAll(() => fake.close())

describe('the fake, driven by the real OpenAI SDK', () => {
  it('answers a chat completion with the queued text and usage', async () => {
    fake.enqueue({ kind: 'text', text: 'Hello there', usage: { inputTokens: 12, outputTokens: 3 } })
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    })
    expect(completion.choices[0]?.message.content).toBe('Hello there')
    expect(completion.usage).toMatchObject({
      prompt_tokens: 12,
      completion_tokens: 3,
      total_tokens: 15,
    })
    expect(fake.modelCalls).toBe(1)
  })

  it('streams chat chunks and a final usage chunk only when asked', async () => {
    fake.enqueue({ kind: 'text', text: 'one two three' }, { kind: 'text', text: 'one two three' })
    const withUsage = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks = []
    for await (const chunk of withUsage) chunks.push(chunk)
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
      'one two three',
    )
    expect(chunks.at(-1)?.choices).toEqual([])
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(4)

    const plain = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
    })
    const plainChunks = []
    for await (const chunk of plain) plainChunks.push(chunk)
    expect(plainChunks.every((chunk) => chunk.usage === undefined)).toBe(true)
  })

  it('answers the Responses API, streamed and not', async () => {
    fake.enqueue({ kind: 'text', text: 'Plain answer' }, { kind: 'text', text: 'Streamed answer' })
    const response = await openai.responses.create({ model: 'gpt-4o', input: 'question' })
    expect(response.output_text).toBe('Plain answer')
    expect(response.usage?.output_tokens).toBe(3)
    const stream = await openai.responses.create({
      model: 'gpt-4o',
      input: 'question',
      stream: true,
    })
    let text = ''
    let completedUsage: unknown
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta
      if (event.type === 'response.completed') completedUsage = event.response.usage
    }
    expect(text).toBe('Streamed answer')
    expect(completedUsage).toMatchObject({ output_tokens: 4 })
  })

  it('runs a tool loop with its default brain (runTools)', async () => {
    const runner = openai.chat.completions.runTools({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'The weather in a city',
            parameters: {
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
            },
            function: (args: { city: string }) => `Sunny in ${args.city.slice(0, 10)}`,
            parse: JSON.parse,
          },
        },
      ],
    })
    const answer = await runner.finalContent()
    expect(answer).toContain('Here is what I found: Sunny in What is t')
    expect(fake.modelCalls).toBe(2)
  })

  it('fails on demand, and the SDK retries with retry-after-ms', async () => {
    fake.enqueue(
      { kind: 'error', status: 429, retryAfterMs: 1 },
      { kind: 'text', text: 'after retry' },
    )
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
    })
    expect(completion.choices[0]?.message.content).toBe('after retry')
    expect(fake.requests.map((request) => request.behavior.kind)).toEqual(['error', 'text'])
  })

  it('counts a stream the client leaves early', async () => {
    fake.enqueue({ kind: 'text', text: 'a b c d e f g h i j', chunkDelayMs: 20 })
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    })
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content?.includes('b')) break
    }
    await expect.poll(() => fake.abandonedStreams).toBe(1)
  })
})
