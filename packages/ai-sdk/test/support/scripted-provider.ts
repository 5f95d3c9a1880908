import type { ContractAnswer, ContractUsage } from '@agentbill/adapter-contract'
import { APICallError } from '@ai-sdk/provider'

/** One answer of the scripted mock provider. */
export type ProviderStep =
  | { kind: 'text'; text: string; usage: ContractUsage }
  | { kind: 'tool-call'; toolName: string; input: Record<string, unknown>; usage: ContractUsage }
  /** A failure; 429 and 5xx are retryable, as `@ai-sdk/openai` marks them. */
  | { kind: 'error'; status: number }

/**
 * The answers the AI SDK's mock models give, queued by a test: the provider is the one thing
 * faked, with the SDK's own `MockLanguageModelV4/V3/V2` (each major's driver turns a step into its
 * spec's result shape).
 */
export class ScriptedProvider {
  #queue: ProviderStep[] = []
  #calls = 0

  /** How many model calls reached the provider. */
  get calls(): number {
    return this.#calls
  }

  /** The next calls get exactly these answers, in order. */
  script(...steps: ProviderStep[]): void {
    this.#queue = [...steps]
  }

  /** Appends answers. */
  enqueue(...steps: ProviderStep[]): void {
    this.#queue.push(...steps)
  }

  /** Called by the mock model for each call. */
  next(): ProviderStep {
    this.#calls++
    const step = this.#queue.shift()
    if (step === undefined) throw new Error('The scripted provider has no answer queued')
    return step
  }

  /** Queues what a contract answer asks the provider to do. */
  answer(answer: ContractAnswer): void {
    if (answer.kind === 'text')
      this.script({ kind: 'text', text: answer.text, usage: answer.usage })
    else if (answer.kind === 'error') this.script({ kind: 'error', status: answer.status })
    else
      this.script(
        { kind: 'error', status: answer.status },
        { kind: 'text', text: answer.text, usage: answer.usage },
      )
  }
}

/** The error a provider package throws for an HTTP failure (retryable: 408, 409, 429, 5xx). */
export function providerError(status: number): APICallError {
  return new APICallError({
    message: `Scripted provider error ${status}`,
    url: 'https://provider.invalid/v1/chat',
    requestBodyValues: {},
    statusCode: status,
    // The SDK waits `retry-after-ms` before retrying; keeps the tests fast.
    responseHeaders: { 'retry-after-ms': '1' },
    isRetryable: status === 408 || status === 409 || status === 429 || status >= 500,
  })
}

/**
 * Splits a text into the deltas a provider streams: words with their leading spaces, or groups of
 * ten words for a long text (the mock streams one delta per timer tick).
 */
export function textDeltas(text: string): string[] {
  const words = text.match(/\s*\S+/g) ?? [text]
  if (words.length <= 200) return words
  const groups: string[] = []
  for (let index = 0; index < words.length; index += 10) {
    groups.push(words.slice(index, index + 10).join(''))
  }
  return groups
}
