import { BaseChatModel } from '@langchain/core/language_models/chat_models'
import { LLM } from '@langchain/core/language_models/llms'
import { AIMessage } from '@langchain/core/messages'
import type { ChatResult } from '@langchain/core/outputs'

/**
 * A chat model that answers `text` with no `usage_metadata` and the given `llmOutput`: the shapes
 * older integrations report (`tokenUsage`), and the one ChatOpenAI reports when streaming without
 * usage (`estimatedTokenUsage` only, LangChain's own guess).
 */
export class LlmOutputChatModel extends BaseChatModel {
  calls = 0
  readonly #text: string
  readonly #llmOutput: Record<string, unknown>

  constructor(text: string, llmOutput: Record<string, unknown>) {
    super({})
    this.#text = text
    this.#llmOutput = llmOutput
  }

  _llmType(): string {
    return 'llm-output-fixture'
  }

  async _generate(): Promise<ChatResult> {
    this.calls++
    return {
      generations: [{ text: this.#text, message: new AIMessage(this.#text) }],
      llmOutput: this.#llmOutput,
    }
  }
}

/** A text-completion LLM (not a chat model) that echoes its prompt and reports no usage. */
export class EchoLLM extends LLM {
  calls = 0

  constructor() {
    super({})
  }

  _llmType(): string {
    return 'echo-fixture'
  }

  async _call(prompt: string): Promise<string> {
    this.calls++
    return `You said: ${prompt}`
  }
}
