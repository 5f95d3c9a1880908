import { countTokens, tokensPolicy } from '@agentbill/tokens'
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider'
import { simulateReadableStream, streamObject, streamText, wrapLanguageModel } from 'ai'
import { MockLanguageModelV4 } from 'ai/test'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { agentBillMiddleware } from '../src/index'
import { useAgentBillServer } from './support/agent-bill-server'
import { providerError } from './support/scripted-provider'

const fixture = useAgentBillServer()
const perToken = tokensPolicy({ tokensPerUnit: 1 })
const WORDS = Array.from({ length: 60 }, (_, index) => ` word${index}`)

const textParts = (deltas: string[]): LanguageModelV4StreamPart[] => [
  { type: 'stream-start', warnings: [] },
  { type: 'text-start', id: 'text-1' },
  ...deltas.map(
    (delta): LanguageModelV4StreamPart => ({ type: 'text-delta', id: 'text-1', delta }),
  ),
]
const finish = (input: number, output: number): LanguageModelV4StreamPart => ({
  type: 'finish',
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  },
})

function gatedModel(parts: LanguageModelV4StreamPart[]) {
  return wrapLanguageModel({
    model: new MockLanguageModelV4({
      modelId: 'gpt-4o-mini',
      doStream: async () => ({ stream: simulateReadableStream({ chunks: parts }) }),
    }),
    middleware: agentBillMiddleware({
      client: fixture.bill,
      agentId: 'streamer',
      units: perToken,
    }),
  })
}

describe('streamText through the middleware', () => {
  it('a provider error part ends the stream billed from a count; onError gets the error', async () => {
    const customerId = fixture.newCustomer()
    const providerFailure = new Error('upstream overloaded')
    const errors: unknown[] = []
    const result = streamText({
      model: gatedModel([
        ...textParts(WORDS.slice(0, 5)),
        { type: 'error', error: providerFailure },
      ]),
      prompt: 'Count.',
      maxOutputTokens: 100,
      providerOptions: { agentbill: { customerId } },
      onError: ({ error }) => void errors.push(error),
    })
    expect(await result.text).toBe(WORDS.slice(0, 5).join(''))
    expect(errors).toEqual([providerFailure])
    const [event] = (await fixture.ledger(customerId)).events
    expect(event?.metadata).toMatchObject({
      measured: 'counted',
      stopped: 'error',
      outputTokens: await countTokens('gpt-4o-mini', WORDS.slice(0, 5).join('')),
    })
  })

  it("records the finish part's usage, after which the result resolves", async () => {
    const customerId = fixture.newCustomer()
    const result = streamText({
      model: gatedModel([
        ...textParts(WORDS.slice(0, 3)),
        { type: 'text-end', id: 'text-1' },
        finish(120, 7),
      ]),
      prompt: 'Count.',
      maxOutputTokens: 100,
      providerOptions: { agentbill: { customerId } },
    })
    await result.text
    // Recorded before the stream closed: no waiting needed.
    const { events, balance } = await fixture.ledger(customerId)
    expect(events.map((event) => [event.units, event.metadata.measured])).toEqual([
      [127, 'provider'],
    ])
    expect(balance.reservedUnits).toBe(0)
  })

  it('the SDK retrying a 429 before the stream starts makes one decision and bills once', async () => {
    const customerId = fixture.newCustomer()
    let calls = 0
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({
        doStream: async () => {
          if (++calls < 3) throw providerError(429)
          return {
            stream: simulateReadableStream({
              chunks: [
                ...textParts(['Third', ' time.']),
                { type: 'text-end', id: 'text-1' },
                finish(1500, 200),
              ],
            }),
          }
        },
      }),
      middleware: agentBillMiddleware({ client: fixture.bill, agentId: 'streamer' }),
    })
    const result = streamText({
      model,
      prompt: 'Hi',
      providerOptions: { agentbill: { customerId } },
    })
    expect(await result.text).toBe('Third time.')
    expect(calls).toBe(3)
    const { events, decisions, balance } = await fixture.ledger(customerId)
    expect(decisions).toHaveLength(1)
    expect(events.map((event) => event.units)).toEqual([2])
    expect(balance).toMatchObject({ usedUnits: 2, reservedUnits: 0 })
  })

  it('streamObject is gated too', async () => {
    const customerId = fixture.newCustomer()
    const json = '{"city":"Oslo","degrees":21}'
    const result = streamObject({
      model: gatedModel([
        ...textParts([json.slice(0, 10), json.slice(10)]),
        { type: 'text-end', id: 'text-1' },
        finish(30, 11),
      ]),
      schema: z.object({ city: z.string(), degrees: z.number() }),
      prompt: 'Weather in Oslo?',
      maxOutputTokens: 50,
      providerOptions: { agentbill: { customerId } },
    })
    // streamObject only runs while its stream is read.
    for await (const _partial of result.partialObjectStream);
    expect(await result.object).toEqual({ city: 'Oslo', degrees: 21 })
    const { events } = await fixture.ledger(customerId)
    expect(events.map((event) => event.units)).toEqual([41])
  })
})
