import { countTokens, estimateCall, tokensPolicy } from '@agentbill/tokens'
import { APIConnectionTimeoutError, APIUserAbortError, InternalServerError } from 'openai'
import { describe, expect, it } from 'vitest'
import { AllowanceExceededError, withAgentBill } from '../src/index'
import { useEnvironment } from './support/environment'
import { stable } from './support/stable'

// Streams through a wrapped client: chunks reach the caller as the provider sent them, the call
// is recorded when the stream ends however it ends, and a stream that outgrows its allowance is
// cut there. Provider failures release the hold.
const environment = useEnvironment()
const policy = tokensPolicy({ tokensPerUnit: 1 }) // one unit per token: counts show exactly
const messages = [{ role: 'user' as const, content: 'Tell me a long story.' }]
const request = { model: 'gpt-4o-mini', messages, max_completion_tokens: 40 }
const words = (count: number) => Array.from({ length: count }, (_, index) => `w${index}`).join(' ')

function wrapped(customerId: string, options: { maxRetries?: number; timeout?: number } = {}) {
  return withAgentBill(environment.openai(options), {
    client: environment.bill,
    agentId: 'stream-agent',
    customerId,
    units: policy,
  })
}

async function estimate() {
  return estimateCall({ model: 'gpt-4o-mini', messages, policy, maxOutputTokens: 40 })
}

describe('chunks', () => {
  it('the usage chunk the wrapper asked for never reaches the caller', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'text', text: 'Hidden usage.' })
    const stream = await wrapped(customerId).chat.completions.create({ ...request, stream: true })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(environment.fake.requests.at(-1)?.body).toMatchObject({
      stream_options: { include_usage: true },
    })
    expect(chunks.length).toBeGreaterThan(2)
    expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true)
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false)
    const { events } = await environment.ledger(customerId)
    expect(events[0]?.metadata).toMatchObject({ measured: 'provider' })
  })

  it('a caller who asked for include_usage gets the usage chunk unchanged', async () => {
    const body = { ...request, stream: true as const, stream_options: { include_usage: true } }
    environment.fake.script({ kind: 'text', text: 'Usage for me too.' })
    const bare = []
    for await (const chunk of await environment.openai().chat.completions.create(body)) {
      bare.push(stable(chunk))
    }
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'text', text: 'Usage for me too.' })
    const gated = []
    for await (const chunk of await wrapped(customerId).chat.completions.create(body)) {
      gated.push(stable(chunk))
    }
    expect(gated).toEqual(bare)
    expect(gated.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 5 } })
    const { events } = await environment.ledger(customerId)
    expect(events.map((event) => event.units)).toEqual([
      (bare.at(-1) as { usage: { total_tokens: number } }).usage.total_tokens,
    ])
  })

  it('a slow stream holds its estimate while it streams and records when it ends', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'text', text: words(8), chunkDelayMs: 25 })
    const stream = await wrapped(customerId).chat.completions.create({ ...request, stream: true })
    const held = (await estimate()).units
    let text = ''
    let checkedWhileStreaming = false
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (!checkedWhileStreaming && text !== '') {
        checkedWhileStreaming = true
        const { events, balance } = await environment.ledger(customerId)
        expect(events).toEqual([])
        expect(balance.reservedUnits).toBe(held)
      }
    }
    expect(checkedWhileStreaming).toBe(true)
    expect(text).toBe(words(8))
    const { events, balance } = await environment.ledger(customerId)
    expect(events).toHaveLength(1)
    expect(balance.reservedUnits).toBe(0)
  })
})

describe('stopping early', () => {
  for (const how of ['break', 'controller.abort()'] as const) {
    it(`${how}: bills the prompt estimate plus what streamed, not zero, not the hold`, async () => {
      const customerId = environment.newCustomer()
      environment.fake.script({ kind: 'text', text: words(200), chunkDelayMs: 2 })
      const abandoned = environment.fake.abandonedStreams
      const stream = await wrapped(customerId).chat.completions.create({
        ...request,
        stream: true,
      })
      let text = ''
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? ''
        if (text.includes('w5')) {
          if (how === 'break') break
          stream.controller.abort()
        }
      }
      await expect.poll(() => environment.fake.abandonedStreams).toBe(abandoned + 1)
      const { promptTokens, units: held } = await estimate()
      const expected = promptTokens + (await countTokens('gpt-4o-mini', text))
      const { events, balance } = await environment.ledger(customerId)
      expect(events.map((event) => event.units)).toEqual([expected])
      expect(expected).toBeGreaterThan(0)
      expect(expected).toBeLessThan(held)
      expect(events[0]?.metadata).toMatchObject({ measured: 'counted', outcome: 'stopped' })
      expect(balance.reservedUnits).toBe(0)
    })
  }
})

describe('stopping at the allowance', () => {
  it('cuts a stream about to pass the customer budget, records what streamed, throws', async () => {
    const customerId = environment.newCustomer()
    const { promptTokens, units: held } = await estimate()
    // The customer can afford the hold plus 10 units: the call's allowance.
    await environment.bill.admin.customers.update(customerId, { limitUnits: held + 10 })
    // A provider that ignores max_completion_tokens and keeps generating.
    environment.fake.script({ kind: 'text', text: words(300), chunkDelayMs: 2 })
    const abandoned = environment.fake.abandonedStreams
    const stream = await wrapped(customerId).chat.completions.create({ ...request, stream: true })
    const pieces: string[] = []
    const error = await (async () => {
      for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? '')
    })().catch((caught: unknown) => caught)

    expect(AllowanceExceededError.isInstance(error)).toBe(true)
    const cut = error as AllowanceExceededError
    expect(cut).toMatchObject({ reason: 'budget_exhausted', allowanceUnits: held + 10, customerId })
    const text = pieces.join('')
    expect(words(300).startsWith(text)).toBe(true)
    // The chunk that crossed the line was delivered (it is billed); the one before was within.
    const counted = promptTokens + (await countTokens('gpt-4o-mini', text))
    const before = promptTokens + (await countTokens('gpt-4o-mini', pieces.slice(0, -1).join('')))
    expect(counted).toBeGreaterThan(held + 10)
    expect(before).toBeLessThanOrEqual(held + 10)
    await expect.poll(() => environment.fake.abandonedStreams).toBe(abandoned + 1)

    const { events, balance } = await environment.ledger(customerId)
    expect(events.map((event) => event.units)).toEqual([counted])
    expect(cut.usedUnits).toBe(counted)
    expect(events[0]?.metadata).toMatchObject({ measured: 'counted', outcome: 'cut' })
    expect(balance.reservedUnits).toBe(0)
  })

  it('cuts a raw asResponse() stream the same way: the body errors after the bytes read', async () => {
    const customerId = environment.newCustomer()
    const { units: held } = await estimate()
    await environment.bill.admin.customers.update(customerId, { limitUnits: held + 10 })
    environment.fake.script({ kind: 'text', text: words(300), chunkDelayMs: 2 })
    const abandoned = environment.fake.abandonedStreams
    const response = await wrapped(customerId)
      .chat.completions.create({ ...request, stream: true })
      .asResponse()
    const error = await response.text().catch((caught: unknown) => caught)
    expect(AllowanceExceededError.isInstance(error)).toBe(true)
    await expect.poll(() => environment.fake.abandonedStreams).toBe(abandoned + 1)
    const { events } = await environment.ledger(customerId)
    expect(events.map((event) => event.units)).toEqual([
      (error as AllowanceExceededError).usedUnits,
    ])
    expect(events[0]?.metadata).toMatchObject({ outcome: 'cut' })
  })

  it("cuts a stream at the run's ceiling", async () => {
    // The allowance is the hold plus what the run may still use (`run_remaining_units`).
    const customerId = environment.newCustomer()
    const { units: held } = await estimate()
    environment.fake.script({ kind: 'text', text: words(300), chunkDelayMs: 2 })
    const abandoned = environment.fake.abandonedStreams
    let runId = ''
    const error = await environment.bill
      .run({ agentId: 'stream-agent', customerId, ceiling: held + 10 }, async (run) => {
        runId = run.runId
        const stream = await wrapped(customerId).chat.completions.create({
          ...request,
          stream: true,
        })
        for await (const _chunk of stream) {
          // read until cut
        }
      })
      .catch((caught: unknown) => caught)
    expect(AllowanceExceededError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ reason: 'ceiling_exceeded', allowanceUnits: held + 10 })
    await expect.poll(() => environment.fake.abandonedStreams).toBe(abandoned + 1)
    const { events, balance } = await environment.ledger(customerId)
    expect(events.map((event) => event.units)).toEqual([
      (error as AllowanceExceededError).usedUnits,
    ])
    expect(events[0]?.runId).toBe(runId)
    expect(balance.reservedUnits).toBe(0)
  })
})

/**
 * A fetch that lets the real response through and drops the connection after `events` SSE
 * events — what a reset mid-stream looks like to the SDK (the fake cannot be made to do it).
 */
function droppingFetch(events: number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init)
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const decoder = new TextDecoder()
    let seen = 0
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (seen >= events) {
          await reader.cancel()
          controller.error(new TypeError('terminated: other side closed'))
          return
        }
        const { value, done } = await reader.read()
        if (done) return controller.close()
        seen += decoder.decode(value, { stream: true }).split('\n\n').length - 1
        controller.enqueue(value)
      },
    })
    return new Response(body, { status: response.status, headers: response.headers })
  }
}

describe('a connection dropped mid-stream', () => {
  function dropping(customerId: string, events: number) {
    return withAgentBill(environment.openai({ fetch: droppingFetch(events) }), {
      client: environment.bill,
      agentId: 'stream-agent',
      customerId,
      units: policy,
    })
  }

  it('after some output: the error reaches the caller; what streamed is recorded', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'text', text: words(50), chunkDelayMs: 2 })
    const stream = await dropping(customerId, 6).chat.completions.create({
      ...request,
      stream: true,
    })
    let text = ''
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    })().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(Error)
    expect(text).not.toBe('')
    expect(words(50).startsWith(text)).toBe(true)
    const expected = (await estimate()).promptTokens + (await countTokens('gpt-4o-mini', text))
    const { events, balance } = await environment.ledger(customerId)
    expect(events.map((event) => event.units)).toEqual([expected])
    expect(events[0]?.metadata).toMatchObject({ measured: 'counted', outcome: 'failed' })
    expect(balance.reservedUnits).toBe(0)
  })

  it('before any output: the hold is released', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'text', text: words(50), chunkDelayMs: 2 })
    const stream = await dropping(customerId, 0).responses.create({
      model: 'gpt-4o-mini',
      input: 'Hi',
      max_output_tokens: 40,
      stream: true,
    })
    const error = await (async () => {
      for await (const _event of stream) {
        // nothing arrives
      }
    })().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(Error)
    const { events, balance } = await environment.ledger(customerId)
    expect(events).toEqual([])
    expect(balance).toMatchObject({ usedUnits: 0, reservedUnits: 0 })
  })
})

describe('provider failures release the hold', () => {
  async function expectReleased(customerId: string) {
    const { events, decisions, balance } = await environment.ledger(customerId)
    expect(events).toEqual([])
    expect(balance).toMatchObject({ usedUnits: 0, reservedUnits: 0 })
    const reservationId = decisions[0]?.reservationId
    await expect(environment.bill.getReservation(reservationId as string)).resolves.toMatchObject({
      status: 'released',
    })
  }

  it('a 500 that outlasts the SDK retries', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'error', status: 500 }, { kind: 'error', status: 500 })
    const before = environment.fake.modelCalls
    const error = await wrapped(customerId, { maxRetries: 1 })
      .chat.completions.create({ ...request, stream: true })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(InternalServerError)
    expect(environment.fake.modelCalls - before).toBe(2)
    await expectReleased(customerId)
  })

  it('a provider that never answers (the SDK times out)', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'hang' })
    const error = await wrapped(customerId, { timeout: 300 })
      .responses.create({ model: 'gpt-4o-mini', input: 'Hello?', max_output_tokens: 40 })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(APIConnectionTimeoutError)
    await expectReleased(customerId)
  })

  it('a caller who aborts before the answer', async () => {
    const customerId = environment.newCustomer()
    environment.fake.script({ kind: 'hang' })
    const controller = new AbortController()
    const calls = environment.fake.modelCalls
    const pending = wrapped(customerId)
      .chat.completions.create(request, { signal: controller.signal })
      .catch((caught: unknown) => caught)
    await expect.poll(() => environment.fake.modelCalls).toBe(calls + 1)
    controller.abort()
    expect(await pending).toBeInstanceOf(APIUserAbortError)
    await expectReleased(customerId)
  })
})
