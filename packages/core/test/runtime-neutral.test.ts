// @vitest-environment edge-runtime
import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const distribution = new URL('../dist/', import.meta.url)

describe('the built package root', () => {
  it('exists (run the build first: turbo builds before tests)', () => {
    expect(existsSync(new URL('index.js', distribution))).toBe(true)
    expect(existsSync(new URL('index.cjs', distribution))).toBe(true)
  })

  it.each(['index.js', 'index.cjs'])('%s imports no node: module and no Node built-in', (file) => {
    const code = readFileSync(new URL(file, distribution), 'utf8')
    const imports = [
      ...code.matchAll(/\bfrom\s*["']([^"']+)["']/g),
      ...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g),
      ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
    ].map((match) => match[1])
    expect(imports).toEqual([])
  })

  it('loads and answers a preflight in an edge runtime (no process, no node: modules)', async () => {
    // vitest's edge-runtime environment: the globals of Vercel's Edge Runtime.
    expect(typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe('string')
    const { AgentBill } = await import('../dist/index.js')
    const seen: string[] = []
    const bill = new AgentBill({
      apiKey: 'agb_edge',
      baseUrl: 'https://agentbill.example',
      fetch: async (input: RequestInfo | URL) => {
        seen.push(String(input))
        return new Response(
          JSON.stringify({
            approved: true,
            preflight_id: 'dec_1',
            remaining_units: 9,
            estimated_units: 1,
            estimate_source: 'request',
          }),
          { headers: { 'content-type': 'application/json' } },
        )
      },
    })
    const check = await bill.preflight({ agentId: 'edge-agent' })
    expect(check).toMatchObject({ approved: true, remainingUnits: 9 })
    expect(seen).toEqual(['https://agentbill.example/v1/preflight'])
  })
})
