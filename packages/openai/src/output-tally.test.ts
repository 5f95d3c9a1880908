import { countTokens, tokensPolicy } from '@agentbill/tokens'
import { describe, expect, it } from 'vitest'
import { OutputTally } from './output-tally'

const policy = tokensPolicy({ tokensPerUnit: 1 })

function tally(endpoint: 'chat.completions' | 'responses', hideInjectedUsage = false) {
  return new OutputTally({ endpoint, model: 'gpt-4o', policy, promptTokens: 10, hideInjectedUsage })
}

describe('OutputTally on chat chunks', () => {
  it('counts content, refusals and tool-call names and arguments', async () => {
    const subject = tally('chat.completions')
    subject.observe({ choices: [{ delta: { role: 'assistant', content: '' } }] })
    expect(subject.generated).toBe(false)
    subject.observe({ choices: [{ delta: { content: 'Hello there' } }] })
    subject.observe({
      choices: [
        { delta: { tool_calls: [{ function: { name: 'search', arguments: '{"q":1}' } }] } },
      ],
    })
    subject.observe({ choices: [{ delta: { refusal: 'No.' } }] })
    const expected = await countTokens('gpt-4o', 'Hello theresearch{"q":1}No.')
    expect((await subject.finish()).units).toBe(10 + expected)
    expect(subject.generated).toBe(true)
    expect(subject.usage).toBeUndefined()
  })

  it('keeps the usage and, when it asked for it, hides the usage chunk and usage: null', () => {
    const subject = tally('chat.completions', true)
    const chunk = { choices: [{ delta: { content: 'x' } }], usage: null }
    expect(subject.observe(chunk)).toBe('pass')
    expect(chunk).not.toHaveProperty('usage')
    const usage = { prompt_tokens: 3, completion_tokens: 1 }
    expect(subject.observe({ choices: [], usage })).toBe('hide')
    expect(subject.usage).toEqual(usage)
  })

  it('passes every chunk when the caller asked for usage themselves', () => {
    const subject = tally('chat.completions', false)
    const chunk = { choices: [{ delta: { content: 'x' } }], usage: null }
    expect(subject.observe(chunk)).toBe('pass')
    expect(chunk).toHaveProperty('usage', null)
    expect(subject.observe({ choices: [], usage: { prompt_tokens: 1 } })).toBe('pass')
  })

  it('tells when the units pass a limit; an unbounded limit never does', () => {
    const subject = tally('chat.completions')
    subject.observe({ choices: [{ delta: { content: 'one two three four five' } }] })
    expect(subject.exceeds(10)).toBe(true)
    expect(subject.exceeds(1000)).toBe(false)
    expect(subject.exceeds(Number.POSITIVE_INFINITY)).toBe(false)
  })
})

describe('OutputTally on Responses events', () => {
  it('counts every text delta but raw audio, and keeps the usage of the final event', async () => {
    const subject = tally('responses')
    subject.observe({ type: 'response.output_text.delta', delta: 'Hi ' })
    subject.observe({ type: 'response.function_call_arguments.delta', delta: '{"a":1}' })
    subject.observe({ type: 'response.audio.delta', delta: 'QUJDREVGR0g=' })
    subject.observe({ type: 'response.output_text.done', text: 'Hi ' })
    const usage = { input_tokens: 5, output_tokens: 4 }
    expect(subject.observe({ type: 'response.incomplete', response: { usage } })).toBe('pass')
    expect(subject.usage).toEqual(usage)
    const expected = await countTokens('gpt-4o', 'Hi {"a":1}')
    expect((await subject.finish()).units).toBe(10 + expected)
  })
})
