import { AIMessage, AIMessageChunk } from '@langchain/core/messages'
import { type ChatGeneration, ChatGenerationChunk, type LLMResult } from '@langchain/core/outputs'
import { describe, expect, it } from 'vitest'
import { generatedText, reportedUsage } from './reported-usage'

function chatResult(message: AIMessage, llmOutput?: Record<string, unknown>): LLMResult {
  const generation: ChatGeneration = { text: '', message }
  return { generations: [[generation]], ...(llmOutput === undefined ? {} : { llmOutput }) }
}

describe('reportedUsage', () => {
  it('reads usage_metadata first', () => {
    const message = new AIMessage({
      content: 'hi',
      usage_metadata: { input_tokens: 10, output_tokens: 4, total_tokens: 14 },
    })
    expect(
      reportedUsage(
        chatResult(message, { tokenUsage: { promptTokens: 99, completionTokens: 99 } }),
      ),
    ).toEqual({ inputTokens: 10, cachedInputTokens: 0, outputTokens: 4, reasoningTokens: 0 })
  })

  it('reads a streamed chunk’s usage_metadata', () => {
    const chunk = new ChatGenerationChunk({
      text: 'hi',
      message: new AIMessageChunk({
        content: 'hi',
        usage_metadata: { input_tokens: 7, output_tokens: 2, total_tokens: 9 },
      }),
    })
    expect(reportedUsage({ generations: [[chunk]] })?.inputTokens).toBe(7)
  })

  it('falls back to llmOutput.tokenUsage', () => {
    expect(
      reportedUsage(
        chatResult(new AIMessage('hi'), { tokenUsage: { promptTokens: 5, completionTokens: 3 } }),
      ),
    ).toEqual({ inputTokens: 5, cachedInputTokens: 0, outputTokens: 3, reasoningTokens: 0 })
  })

  it('never reads llmOutput.estimatedTokenUsage', () => {
    expect(
      reportedUsage(
        chatResult(new AIMessage('hi'), {
          estimatedTokenUsage: { promptTokens: 5, completionTokens: 3 },
        }),
      ),
    ).toBeUndefined()
  })

  it('is undefined for an LLM that reports nothing', () => {
    expect(reportedUsage({ generations: [[{ text: 'hi' }]] })).toBeUndefined()
  })
})

describe('generatedText', () => {
  it('takes the text, else the message text, and the tool calls', () => {
    const message = new AIMessage({
      content: 'Looking it up.',
      tool_calls: [{ name: 'search', args: { query: 'otters' }, id: 'call_1' }],
    })
    expect(generatedText(chatResult(message))).toBe('Looking it up.\nsearch\n{"query":"otters"}')
    expect(generatedText({ generations: [[{ text: 'plain' }]] })).toBe('plain')
  })

  it('is empty for a stream that yielded nothing (an undefined generation)', () => {
    const empty = { generations: [[undefined]] } as unknown as LLMResult
    expect(generatedText(empty)).toBe('')
    expect(reportedUsage(empty)).toBeUndefined()
  })
})
