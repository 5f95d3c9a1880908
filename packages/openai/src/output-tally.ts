import {
  createOutputMeter,
  type MeteredUsage,
  type OutputMeter,
  type UnitsPolicy,
} from '@agentbill/tokens'
import type { ModelEndpoint } from './estimate-request'

/** Options of {@link OutputTally}. */
export interface OutputTallyOptions {
  endpoint: ModelEndpoint
  model: string
  policy: UnitsPolicy
  /** The estimate's prompt tokens: what an early stop bills for the input. */
  promptTokens: number
  /**
   * The wrapper added `stream_options.include_usage` to a chat stream: hide the usage-only chunk
   * and the `usage: null` field the provider then adds to every other chunk.
   */
  hideInjectedUsage: boolean
}

/** What one streamed item means for the caller. */
export type TallyVerdict = 'pass' | 'hide'

/**
 * Follows one streamed call, event by event: counts the text the model generated (content,
 * refusals, tool-call names and arguments, reasoning summaries) so a stream that stops early is
 * billed for what streamed, and keeps the provider's usage when the stream reports it.
 */
export class OutputTally {
  readonly #options: OutputTallyOptions
  readonly #meter: OutputMeter
  #usage: Record<string, unknown> | undefined
  #generated = false

  constructor(options: OutputTallyOptions) {
    this.#options = options
    this.#meter = createOutputMeter({
      model: options.model,
      policy: options.policy,
      inputTokens: options.promptTokens,
    })
  }

  /** The provider's usage, once an event carried it. */
  get usage(): Record<string, unknown> | undefined {
    return this.#usage
  }

  /** Whether any generated text has been seen. */
  get generated(): boolean {
    return this.#generated
  }

  /** Takes one parsed event (a chat chunk or a Responses event) into account. */
  observe(event: unknown): TallyVerdict {
    if (!isRecord(event)) return 'pass'
    return this.#options.endpoint === 'chat.completions'
      ? this.#observeChatChunk(event)
      : this.#observeResponsesEvent(event)
  }

  /** Whether the call's units so far (prompt plus counted output) exceed `limitUnits`. */
  exceeds(limitUnits: number): boolean {
    return Number.isFinite(limitUnits) && this.#meter.wouldExceed(limitUnits)
  }

  /** The exact count of what streamed, with the prompt estimate, under the policy. */
  finish(): Promise<MeteredUsage> {
    return this.#meter.finish()
  }

  #add(text: unknown): void {
    if (typeof text !== 'string' || text === '') return
    this.#meter.add(text)
    this.#generated = true
  }

  #observeChatChunk(chunk: Record<string, unknown>): TallyVerdict {
    if (isRecord(chunk.usage)) this.#usage = chunk.usage
    const choices = Array.isArray(chunk.choices) ? chunk.choices : []
    for (const choice of choices) {
      const delta = isRecord(choice) && isRecord(choice.delta) ? choice.delta : undefined
      if (delta === undefined) continue
      this.#add(delta.content)
      this.#add(delta.refusal)
      if (isRecord(delta.function_call)) {
        this.#add(delta.function_call.name)
        this.#add(delta.function_call.arguments)
      }
      for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
        if (!isRecord(call) || !isRecord(call.function)) continue
        this.#add(call.function.name)
        this.#add(call.function.arguments)
      }
    }
    if (this.#options.hideInjectedUsage) {
      if (choices.length === 0 && isRecord(chunk.usage)) return 'hide'
      // With include_usage the provider sends `usage: null` on every other chunk.
      if (chunk.usage === null) delete chunk.usage
    }
    return 'pass'
  }

  #observeResponsesEvent(event: Record<string, unknown>): TallyVerdict {
    const type = event.type
    if (typeof type !== 'string') return 'pass'
    // Every text the model generates arrives as a `….delta` string (output text, refusals,
    // function-call arguments, reasoning summaries, audio transcripts) except raw audio.
    if (type.endsWith('.delta') && type !== 'response.audio.delta') this.#add(event.delta)
    if (
      (type === 'response.completed' ||
        type === 'response.incomplete' ||
        type === 'response.failed') &&
      isRecord(event.response) &&
      isRecord(event.response.usage)
    ) {
      this.#usage = event.response.usage
    }
    return 'pass'
  }
}

/** Whether `value` is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
