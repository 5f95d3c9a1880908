import type { LanguageModelV4Prompt } from '@ai-sdk/provider'
import { describe, expect, it } from 'vitest'
import { RunLinks } from './run-links'

const user = (text: string): LanguageModelV4Prompt[number] => ({
  role: 'user',
  content: [{ type: 'text', text }],
})
const called = (toolCallId: string): LanguageModelV4Prompt[number] => ({
  role: 'assistant',
  content: [{ type: 'tool-call', toolCallId, toolName: 'lookup', input: {} }],
})
const answered = (toolCallId: string): LanguageModelV4Prompt[number] => ({
  role: 'tool',
  content: [
    { type: 'tool-result', toolCallId, toolName: 'lookup', output: { type: 'text', value: 'ok' } },
  ],
})

describe('RunLinks', () => {
  it('a prompt ending with results of known tool calls continues their run', () => {
    const links = new RunLinks()
    links.link('call-1', 'run_a')
    expect(links.find([user('q'), called('call-1'), answered('call-1')])).toBe('run_a')
    expect(links.find([user('q'), called('call-2'), answered('call-2')])).toBeUndefined()
  })

  it('a new user turn starts a new run, even after the same tool calls', () => {
    const links = new RunLinks()
    links.link('call-1', 'run_a')
    expect(
      links.find([user('q'), called('call-1'), answered('call-1'), user('and now?')]),
    ).toBeUndefined()
    expect(links.find([user('q')])).toBeUndefined()
  })
})
