import { BudgetExceededError } from 'agentbill'
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { withAgentBill } from '../src/index'
import { useEnvironment } from './support/environment'

// Every way the SDK reaches the two model endpoints, through a wrapped client, against the fake
// provider and a real AgentBill server: each must still work exactly as on a bare client, and
// each logical call must be preflighted once and recorded once.
const environment = useEnvironment()
const usage = { inputTokens: 1500, outputTokens: 700 } // 3 units under the default policy

function wrapped(customerId: string, openai = environment.openai()) {
  return withAgentBill(openai, { client: environment.bill, agentId: 'helper-agent', customerId })
}

async function expectOneRecord(customerId: string, units = 3) {
  const { events, balance } = await environment.ledger(customerId)
  expect(events.map((event) => event.units)).toEqual([units])
  expect(balance).toMatchObject({ usedUnits: units, reservedUnits: 0 })
  return events[0]
}

const jsonSchema = {
  name: 'answer',
  strict: true,
  schema: {
    type: 'object',
    properties: { answer: { type: 'number' } },
    required: ['answer'],
    additionalProperties: false,
  },
} as const

describe('chat completions helpers', () => {
  it('parse() parses the structured answer and records it once', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'text', text: '{"answer":42}', usage })
    const completion = await wrapped(customerId).chat.completions.parse({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'The answer?' }],
      response_format: { type: 'json_schema', json_schema: jsonSchema },
    })
    expect(completion.choices[0]?.message.parsed).toEqual({ answer: 42 })
    expect((await expectOneRecord(customerId))?.metadata).toMatchObject({
      endpoint: 'chat.completions',
      stream: false,
      measured: 'provider',
      inputTokens: 1500,
      outputTokens: 700,
    })
  })

  it('chat.completions.stream() streams and records the provider usage once', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'text', text: 'Streaming from a helper.', usage })
    const stream = wrapped(customerId).chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Stream it' }],
    })
    const deltas: string[] = []
    stream.on('content', (delta) => deltas.push(delta))
    const completion = await stream.finalChatCompletion()
    expect(deltas.join('')).toBe('Streaming from a helper.')
    expect(completion.choices[0]?.message.content).toBe('Streaming from a helper.')
    // The wrapper asked for usage; the caller, who did not, never sees it.
    expect(completion.usage).toBeUndefined()
    expect(environment.fake.requests.at(-1)?.body).toMatchObject({
      stream_options: { include_usage: true },
    })
    expect((await expectOneRecord(customerId))?.metadata).toMatchObject({
      stream: true,
      measured: 'provider',
    })
  })

  for (const stream of [false, true]) {
    it(`runTools() ${stream ? 'streamed' : 'not streamed'} records each model call of the loop`, async () => {
      const customerId = environment.newCustomer()
      // Nothing scripted: the fake's default brain calls the offered tool, then answers from it.
      environment.fake.script()
      const before = environment.fake.modelCalls
      const toolCalls: string[] = []
      const body = {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user' as const, content: 'What is the weather in Paris?' }],
        tools: [
          {
            type: 'function' as const,
            function: {
              name: 'weather',
              description: 'The weather in a city',
              parameters: { type: 'object', properties: { city: { type: 'string' } } },
              function: (args: { city: string }) => {
                toolCalls.push(args.city)
                return 'sunny'
              },
              parse: JSON.parse,
            },
          },
        ],
      }
      const openai = wrapped(customerId)
      const runner = stream
        ? openai.chat.completions.runTools({ ...body, stream: true })
        : openai.chat.completions.runTools({ ...body, stream: false })
      const content = await runner.finalContent()
      expect(content).toContain('sunny')
      expect(toolCalls).toHaveLength(1)
      expect(environment.fake.modelCalls - before).toBe(2)
      const { events, balance } = await environment.ledger(customerId)
      expect(events).toHaveLength(2)
      expect(balance.reservedUnits).toBe(0)
      expect(events.every((event) => event.metadata.measured === 'provider')).toBe(true)
    })
  }
})

describe('Responses helpers', () => {
  it('responses.stream() streams and records the usage of response.completed', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'text', text: 'A streamed response.', usage })
    const stream = wrapped(customerId).responses.stream({ model: 'gpt-4o-mini', input: 'Go' })
    const deltas: string[] = []
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta))
    const response = await stream.finalResponse()
    expect(deltas.join('')).toBe('A streamed response.')
    expect(response.output_text).toBe('A streamed response.')
    expect((await expectOneRecord(customerId))?.metadata).toMatchObject({
      endpoint: 'responses',
      stream: true,
      measured: 'provider',
    })
  })

  it('responses.parse() parses the structured answer and records it once', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'text', text: '{"answer":7}', usage })
    const response = await wrapped(customerId).responses.parse({
      model: 'gpt-4o-mini',
      input: 'The answer?',
      text: { format: { type: 'json_schema', ...jsonSchema } },
    })
    expect(response.output_parsed).toEqual({ answer: 7 })
    await expectOneRecord(customerId)
  })
})

describe('APIPromise and Stream', () => {
  it('withResponse() gives the data and the raw response, and records once', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'text', text: 'With response.', usage })
    const { data, response, request_id } = await wrapped(customerId)
      .chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hi' }],
      })
      .withResponse()
    expect(data.choices[0]?.message.content).toBe('With response.')
    expect(response.status).toBe(200)
    expect(request_id).toBeNull()
    await expectOneRecord(customerId)
  })

  it('tee() splits a gated stream; both branches see every chunk; one record', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'text', text: 'one two three four', usage })
    const stream = await wrapped(customerId).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    })
    const [left, right] = stream.tee()
    const read = async (branch: typeof left) => {
      let text = ''
      for await (const chunk of branch) text += chunk.choices[0]?.delta.content ?? ''
      return text
    }
    expect(await Promise.all([read(left), read(right)])).toEqual([
      'one two three four',
      'one two three four',
    ])
    await expectOneRecord(customerId)
  })

  it('toReadableStream() carries the gated stream as NDJSON; one record', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'text', text: 'readable stream text', usage })
    const stream = await wrapped(customerId).responses.create({
      model: 'gpt-4o-mini',
      input: 'Hi',
      stream: true,
    })
    const text = await new Response(stream.toReadableStream()).text()
    const events = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; delta?: string })
    expect(
      events
        .filter((event) => event.type === 'response.output_text.delta')
        .map((event) => event.delta)
        .join(''),
    ).toBe('readable stream text')
    expect(events.at(-1)?.type).toBe('response.completed')
    await expectOneRecord(customerId)
  })
})

describe('withOptions() and the original client', () => {
  it('withOptions() returns a gated client of the same class', async () => {
    const customerId = environment.newCustomer()
    await environment.bill.admin.customers.update(customerId, { limitUnits: 0 })
    const derived = wrapped(customerId).withOptions({ timeout: 5000 })
    expect(derived).toBeInstanceOf(OpenAI)
    expect(derived.timeout).toBe(5000)
    const before = environment.fake.modelCalls
    const error = await derived.responses
      .create({ model: 'gpt-4o-mini', input: 'Hi' })
      .catch((caught: unknown) => caught)
    expect(BudgetExceededError.isInstance(error)).toBe(true)
    expect(environment.fake.modelCalls).toBe(before)
  })

  it('leaves the original client untouched and ungated', async () => {
    const customerId = environment.newCustomer()
    const original = environment.openai({ maxRetries: 1 })
    const ownKeys = Reflect.ownKeys(original)
    const gated = wrapped(customerId, original)
    expect(gated).not.toBe(original)
    expect(gated).toBeInstanceOf(OpenAI)
    expect(gated.maxRetries).toBe(1)
    expect(gated.baseURL).toBe(original.baseURL)
    expect(Object.getPrototypeOf(original)).toBe(OpenAI.prototype)
    expect(Reflect.ownKeys(original)).toEqual(ownKeys)
    environment.fake.script({ kind: 'text', text: 'Bare.', usage })
    await original.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    })
    const { events, decisions } = await environment.ledger(customerId)
    expect(events).toEqual([])
    expect(decisions).toEqual([])
  })
})
