import { type FakeOpenAI, startFakeOpenAI } from '@agentbill/fake-openai'
import { createOpenAI } from '@ai-sdk/openai'
import { streamText, wrapLanguageModel } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  agentBillMiddleware,
  budgetErrorMessage,
  budgetExceededResponse,
  waitForBudget,
} from '../src/index'
import { useAgentBillServer } from './support/agent-bill-server'

// A chat route handler as the README shows it (Next.js App Router, Hono, any fetch-style server):
// it answers 402 before streaming when the customer has no budget, and otherwise streams, with
// AgentBill's errors let through to the browser.
const fixture = useAgentBillServer()
let fake: FakeOpenAI
beforeAll(async () => {
  fake = await startFakeOpenAI()
  await fixture.bill.admin.project.update({ upgradeUrl: 'https://example.com/upgrade' })
})
afterAll(() => fake?.close())

function createHandler(options: { ceiling?: number } = {}) {
  const openai = createOpenAI({ apiKey: 'sk-fake', baseURL: fake.baseURL })
  const model = wrapLanguageModel({
    model: openai.chat('gpt-4o-mini'),
    middleware: agentBillMiddleware({ client: fixture.bill, agentId: 'chat', ...options }),
  })
  return async function POST(request: Request): Promise<Response> {
    const { customerId, prompt } = (await request.json()) as { customerId: string; prompt: string }
    const result = streamText({
      model,
      prompt,
      maxOutputTokens: 500,
      // A closed connection aborts the provider call: the middleware bills what streamed.
      abortSignal: request.signal,
      providerOptions: { agentbill: { customerId } },
      // A real handler would log here; the tests read the errors from the response.
      onError: () => undefined,
    })
    const blocked = await waitForBudget(result)
    if (blocked) return budgetExceededResponse(blocked)
    return result.toUIMessageStreamResponse({ onError: budgetErrorMessage })
  }
}

const post = (body: unknown, signal?: AbortSignal) =>
  new Request('http://localhost/api/chat', {
    method: 'POST',
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  })

/** The UI message stream's chunks, parsed from its server-sent events. */
async function uiChunks(response: Response): Promise<Array<Record<string, unknown>>> {
  const body = await response.text()
  return body
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>)
}

describe('a route handler', () => {
  it('answers 402 before streaming when the customer is out of budget', async () => {
    const customerId = fixture.newCustomer()
    await fixture.bill.admin.customers.update(customerId, { limitUnits: 0 })
    const callsBefore = fake.modelCalls
    const response = await createHandler()(post({ customerId, prompt: 'Hello?' }))

    expect(response.status).toBe(402)
    expect(await response.json()).toMatchObject({
      error: {
        type: 'budget_exceeded',
        reason: 'budget_exhausted',
        customer_id: customerId,
        upgrade_url: 'https://example.com/upgrade',
      },
    })
    expect(fake.modelCalls).toBe(callsBefore)
  })

  it('streams when the customer has budget, and the whole stream reaches the browser', async () => {
    const customerId = fixture.newCustomer()
    fake.script({
      kind: 'text',
      text: 'Hello from the model.',
      usage: { inputTokens: 900, outputTokens: 300 },
    })
    const response = await createHandler()(post({ customerId, prompt: 'Hello?' }))

    expect(response.status).toBe(200)
    const chunks = await uiChunks(response)
    const text = chunks
      .filter((chunk) => chunk.type === 'text-delta')
      .map((chunk) => chunk.delta)
      .join('')
    expect(text).toBe('Hello from the model.')
    expect(chunks.at(-1)).toMatchObject({ type: 'finish' })
    const { events } = await fixture.ledger(customerId)
    expect(events.map((event) => event.units)).toEqual([2])
  })

  it('tells the browser why a stream stopped at its ceiling (the SDK would say "An error occurred.")', async () => {
    const customerId = fixture.newCustomer()
    fake.script({ kind: 'text', text: 'word '.repeat(3000) })
    const response = await createHandler({ ceiling: 2 })(post({ customerId, prompt: 'Talk.' }))

    expect(response.status).toBe(200)
    const errors = (await uiChunks(response)).filter((chunk) => chunk.type === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]?.errorText).toMatch(
      /^Stopped: this stream reached its allowance of 2 units \(the run's ceiling\)/,
    )
    expect(budgetErrorMessage(new Error('secret database detail'))).toBe('An error occurred.')
  })

  it('a block after streaming started reaches toUIMessageStream with its message', async () => {
    const customerId = fixture.newCustomer()
    await fixture.bill.admin.customers.update(customerId, { limitUnits: 0 })
    const openai = createOpenAI({ apiKey: 'sk-fake', baseURL: fake.baseURL })
    const model = wrapLanguageModel({
      model: openai.chat('gpt-4o-mini'),
      middleware: agentBillMiddleware({ client: fixture.bill, agentId: 'chat' }),
    })
    // As a later step of a tool loop would be, with no chance left to answer 402.
    const result = streamText({
      model,
      prompt: 'Hello?',
      providerOptions: { agentbill: { customerId } },
      onError: () => undefined,
    })
    const chunks: Array<{ type: string; errorText?: string }> = []
    for await (const chunk of result.toUIMessageStream({ onError: budgetErrorMessage })) {
      chunks.push(chunk)
    }
    const errors = chunks.filter((chunk) => chunk.type === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]?.errorText).toMatch(
      new RegExp(
        `^Blocked: customer "${customerId}" has 0 units left, \\d+ needed\\. Upgrade: https://example\\.com/upgrade$`,
      ),
    )
  })

  it('a closed connection aborts the provider call; what streamed is billed', async () => {
    const customerId = fixture.newCustomer()
    fake.script({ kind: 'text', text: 'word '.repeat(500), chunkDelayMs: 2 })
    const connection = new AbortController()
    const response = await createHandler()(post({ customerId, prompt: 'Talk.' }, connection.signal))
    const reader = response.body?.getReader()
    for (let read = 0; read < 10; read++) await reader?.read()
    // The browser goes away: the server aborts the request's signal and drops the body.
    connection.abort()
    await reader?.cancel()

    await expect
      .poll(async () =>
        (await fixture.ledger(customerId)).events.map((event) => event.metadata.stopped),
      )
      .toEqual(['aborted'])
    const { balance } = await fixture.ledger(customerId)
    expect(balance.reservedUnits).toBe(0)
  })
})
