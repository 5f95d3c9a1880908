import { countTokens, estimateCall, tokensPolicy } from '@agentbill/tokens'
import { describe, expect, it } from 'vitest'
import { withAgentBill } from '../src/index'
import { useEnvironment } from './support/environment'

// `asResponse()` hands the caller the raw body and skips the SDK's parsing. What is billed then:
// not streamed, the provider's usage (read from a clone of the body); streamed, the usage the
// stream carries, else the prompt estimate plus an exact count of the streamed text — read
// beside the caller, when the body ends or is cancelled.
const environment = useEnvironment()
const policy = tokensPolicy({ tokensPerUnit: 1 }) // one unit per token: counts show exactly
const messages = [{ role: 'user' as const, content: 'Tell me a story.' }]
// Holds stay small under one unit per token.
const request = { model: 'gpt-4o-mini', messages, max_completion_tokens: 300 }

function wrapped(customerId: string) {
  return withAgentBill(environment.openai(), {
    client: environment.bill,
    agentId: 'raw-agent',
    customerId,
    units: policy,
  })
}

async function promptTokens(): Promise<number> {
  return (await estimateCall({ model: 'gpt-4o-mini', messages, policy, maxOutputTokens: 300 }))
    .promptTokens
}

describe('asResponse()', () => {
  it('not streamed: the caller reads the body; the provider usage is recorded', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({
      kind: 'text',
      text: 'Once upon a time.',
      usage: { inputTokens: 40, outputTokens: 12 },
    })
    const response = await wrapped(customerId).chat.completions.create(request).asResponse()
    const body = (await response.json()) as { choices: { message: { content: string } }[] }
    expect(body.choices[0]?.message.content).toBe('Once upon a time.')
    const { events, balance } = await environment.ledger(customerId)
    expect(events.map((event) => event.units)).toEqual([52])
    expect(events[0]?.metadata).toMatchObject({ measured: 'provider', stream: false })
    expect(balance.reservedUnits).toBe(0)
  })

  it('streamed chat: the caller gets the provider bytes; billed from the count of the text', async () => {
    const text = 'Once upon a time there was a small local model.'
    environment.fake.script({ kind: 'text', text })
    const bareBytes = await environment
      .openai()
      .chat.completions.create({ ...request, stream: true })
      .asResponse()
      .then((response) => response.text())

    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'text', text })
    const response = await wrapped(customerId)
      .chat.completions.create({ ...request, stream: true })
      .asResponse()
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    expect(response.url).toContain('/chat/completions')
    const bytes = await response.text()
    const withoutIds = (raw: string) => raw.replace(/"id":"[^"]+"|"created":\d+/g, '')
    expect(withoutIds(bytes)).toBe(withoutIds(bareBytes))
    // A raw body is handed over untouched: no include_usage was added to the request.
    expect(environment.fake.requests.at(-1)?.body).not.toHaveProperty('stream_options')

    const { events, balance } = await environment.ledger(customerId)
    const expected = (await promptTokens()) + (await countTokens('gpt-4o-mini', text))
    expect(events.map((event) => event.units)).toEqual([expected])
    expect(events[0]?.metadata).toMatchObject({ measured: 'counted', stream: true })
    expect(balance.reservedUnits).toBe(0)
  })

  it('streamed Responses: billed from the usage of response.completed', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({
      kind: 'text',
      text: 'A raw Responses stream.',
      usage: { inputTokens: 30, outputTokens: 9 },
    })
    const response = await wrapped(customerId)
      .responses.create({ model: 'gpt-4o-mini', input: 'Go', stream: true, max_output_tokens: 300 })
      .asResponse()
    const bytes = await response.text()
    expect(bytes).toContain('event: response.completed')
    const { events } = await environment.ledger(customerId)
    expect(events.map((event) => event.units)).toEqual([39])
    expect(events[0]?.metadata).toMatchObject({ measured: 'provider', endpoint: 'responses' })
  })

  it('streamed, cancelled early: what streamed is billed, and the request is aborted', async () => {
    const customerId = environment.newCustomer()
    const words = Array.from({ length: 200 }, (_, index) => `word${index}`).join(' ')
    environment.fake.script({ kind: 'text', text: words, chunkDelayMs: 5 })
    const abandoned = environment.fake.abandonedStreams
    const response = await wrapped(customerId)
      .chat.completions.create({ ...request, stream: true })
      .asResponse()
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    let received = ''
    const decoder = new TextDecoder()
    while (!received.includes('word3')) {
      const { value, done } = await reader.read()
      if (done) break
      received += decoder.decode(value, { stream: true })
    }
    await reader.cancel()
    await expect.poll(() => environment.fake.abandonedStreams).toBe(abandoned + 1)

    const streamed = [...received.matchAll(/"content":"([^"]*)"/g)]
      .map((match) => match[1])
      .join('')
    const { events, balance } = await environment.ledger(customerId)
    const expected = (await promptTokens()) + (await countTokens('gpt-4o-mini', streamed))
    expect(events.map((event) => event.units)).toEqual([expected])
    expect(events[0]?.metadata).toMatchObject({ measured: 'counted', outcome: 'stopped' })
    expect(balance.reservedUnits).toBe(0)
  })
})
