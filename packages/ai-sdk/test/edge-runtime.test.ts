// @vitest-environment edge-runtime
import { existsSync, readFileSync } from 'node:fs'
import { generateText, simulateReadableStream, streamText, wrapLanguageModel } from 'ai'
import { MockLanguageModelV4 } from 'ai/test'
import { describe, expect, it } from 'vitest'
import { useAgentBillServer } from './support/agent-bill-server'

// The built package in vitest's edge-runtime environment (the globals of Vercel's Edge Runtime:
// no `process`, web streams and fetch only), gating a mock model against the real server.
const fixture = useAgentBillServer()
const distribution = new URL('../dist/', import.meta.url)

const usage = {
  inputTokens: { total: 1500, noCache: 1500, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 400, text: 400, reasoning: undefined },
}

describe('on an edge runtime', () => {
  it('the built package imports no node: module and no Node built-in', () => {
    expect(existsSync(new URL('index.js', distribution))).toBe(true)
    for (const file of ['index.js', 'index.cjs']) {
      const code = readFileSync(new URL(file, distribution), 'utf8')
      const imports = [
        ...code.matchAll(/\bfrom\s*["']([^"']+)["']/g),
        ...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g),
        ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
      ].map((match) => match[1])
      // Only its two dependencies, themselves runtime-neutral (each tests that of its own build).
      expect([...new Set(imports)].sort()).toEqual(['@agentbill/tokens', 'agentbill'])
    }
  })

  it('gates generateText and streamText', async () => {
    expect(typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe('string')
    const { agentBillMiddleware } = await import('../dist/index.js')
    const customerId = fixture.newCustomer()
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({
        doGenerate: async () => ({
          content: [{ type: 'text', text: 'From the edge.' }],
          finishReason: { unified: 'stop', raw: 'stop' },
          usage,
          warnings: [],
        }),
        doStream: async () => ({
          stream: simulateReadableStream({
            chunks: [
              { type: 'text-start', id: 't' },
              { type: 'text-delta', id: 't', delta: 'Streamed from the edge.' },
              { type: 'text-end', id: 't' },
              { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
            ],
          }),
        }),
      }),
      middleware: agentBillMiddleware({ client: fixture.bill, agentId: 'edge-agent' }),
    })
    const providerOptions = { agentbill: { customerId } }
    const generated = await generateText({ model, prompt: 'Hi', providerOptions })
    const streamed = streamText({ model, prompt: 'Hi', providerOptions })
    expect(generated.text).toBe('From the edge.')
    expect(await streamed.text).toBe('Streamed from the edge.')
    const { events, balance } = await fixture.ledger(customerId)
    expect(events.map((event) => [event.agentId, event.units])).toEqual([
      ['edge-agent', 2],
      ['edge-agent', 2],
    ])
    expect(balance).toMatchObject({ usedUnits: 4, reservedUnits: 0 })
  })
})
