import type { LanguageModelV4Prompt } from '@ai-sdk/provider'
import { describe, expect, it } from 'vitest'
import { toChatMessages } from './to-chat-messages'

describe('toChatMessages', () => {
  it('maps every role of a v4 prompt to the chat shape @agentbill/tokens counts', () => {
    const image = new Uint8Array([1, 2, 3])
    const prompt: LanguageModelV4Prompt = [
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'file', mediaType: 'image/png', data: { type: 'data', data: image } },
          {
            type: 'file',
            mediaType: 'image/jpeg',
            data: { type: 'url', url: new URL('https://example.com/a.jpg') },
          },
          { type: 'file', mediaType: 'text/plain', data: { type: 'text', text: 'notes' } },
          {
            type: 'file',
            mediaType: 'application/pdf',
            filename: 'a.pdf',
            data: { type: 'data', data: 'JVBER' },
          },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Let me look.' },
          { type: 'text', text: 'Looking it up.' },
          { type: 'tool-call', toolCallId: 'call-1', toolName: 'lookup', input: { query: 'png' } },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call-1',
            toolName: 'lookup',
            output: { type: 'json', value: { found: true } },
          },
          {
            type: 'tool-result',
            toolCallId: 'call-2',
            toolName: 'lookup',
            output: { type: 'error-text', value: 'timeout' },
          },
          {
            type: 'tool-result',
            toolCallId: 'call-3',
            toolName: 'lookup',
            output: { type: 'execution-denied', reason: 'not allowed' },
          },
        ],
      },
    ]
    expect(toChatMessages(prompt)).toEqual([
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image', data: image },
          { type: 'image', url: 'https://example.com/a.jpg' },
          { type: 'text', text: 'notes' },
          { type: 'file', file: { filename: 'a.pdf' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'text', text: 'Looking it up.' },
        ],
        tool_calls: [
          {
            id: 'call-1',
            type: 'function',
            function: { name: 'lookup', arguments: '{"query":"png"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call-1', content: '{"found":true}' },
      { role: 'tool', tool_call_id: 'call-2', content: 'timeout' },
      { role: 'tool', tool_call_id: 'call-3', content: 'not allowed' },
    ])
  })

  it('reads spec v2/v3 file data held bare (base64, URLs) and their `media` tool-result items', () => {
    // ai 5 and 6 put the data on the part itself; the v4 type does not say so.
    const prompt = [
      {
        role: 'user',
        content: [
          { type: 'file', mediaType: 'image/png', data: 'iVBORw0KGgo=' },
          { type: 'file', mediaType: 'image/png', data: new URL('https://example.com/b.png') },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call-1',
            toolName: 'screenshot',
            output: {
              type: 'content',
              value: [{ type: 'media', mediaType: 'image/png', data: 'iVBO' }],
            },
          },
        ],
      },
    ] as unknown as LanguageModelV4Prompt
    expect(toChatMessages(prompt)).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', data: 'iVBORw0KGgo=' },
          { type: 'image', url: 'https://example.com/b.png' },
        ],
      },
      { role: 'tool', tool_call_id: 'call-1', content: [{ type: 'image', data: 'iVBO' }] },
    ])
  })

  it('counts a JSON response schema as the system text providers make of it', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } } } as const
    expect(toChatMessages([], { type: 'json', schema })).toEqual([
      { role: 'system', content: JSON.stringify(schema) },
    ])
    expect(toChatMessages([], { type: 'json' })).toEqual([])
  })
})
