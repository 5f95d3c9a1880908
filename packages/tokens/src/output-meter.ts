import { scale, syncCounter } from './count-tokens'
import { loadEncoding } from './encodings'
import { InvalidArgumentError } from './invalid-argument-error'
import { resolveModel } from './model-info'
import type { NormalizedUsage } from './normalized-usage'
import { defaultPolicy } from './tokens-policy'
import { applyPolicy, type UnitsPolicy } from './units-policy'
import { utf8Length } from './utf8-length'

/** Options of {@link createOutputMeter}. */
export interface OutputMeterOptions {
  model: string
  /** @default defaultPolicy (one unit per 1,000 tokens) */
  policy?: UnitsPolicy
  /**
   * The call's prompt tokens (e.g. `estimate.promptTokens`), so `units` covers the whole call.
   * @default 0
   */
  inputTokens?: number
  /** @default 0 */
  cachedInputTokens?: number
}

/** What a finished (or stopped) stream is billed. */
export interface MeteredUsage {
  usage: NormalizedUsage
  units: number
  /** Whether the output was counted with the model's own encoding. */
  exact: boolean
}

/** Counts a stream's output as it arrives. Not safe to share between streams. */
export interface OutputMeter {
  /** Adds one text delta. O(delta length): no tokenization. */
  add(textDelta: string): void
  /** Everything added so far. */
  readonly text: string
  /**
   * Output tokens so far: exact once the encoding is loaded (reading it then recounts any text
   * added since the last count, O(text)); before that, a guaranteed upper bound.
   */
  readonly tokens: number
  /** Whether {@link tokens} is the model tokenizer's exact count right now. */
  readonly exact: boolean
  /** Units of the call so far: the policy over the input tokens plus {@link tokens}. */
  readonly units: number
  /**
   * Whether the call's units exceed `limitUnits`. Cheap per chunk: compares an upper bound
   * (last exact count + UTF-8 bytes since) and recounts exactly only when that bound crosses the
   * limit. If the encoding is still loading at that moment, answers from the bound (`true`:
   * stop rather than overspend).
   * @param limitUnits - the units this call may use (e.g. the run's remaining ceiling)
   */
  wouldExceed(limitUnits: number): boolean
  /** Exact final count (loads the encoding if needed): bill an early-stopped stream with it. */
  finish(): Promise<MeteredUsage>
}

// Appending text can re-tokenize the end of what was counted (the last word and the
// whitespace/punctuation around it); its bytes are added to the bound to stay an upper bound.
const TAIL = /[\s\p{P}\p{S}]*[^\s\p{P}\p{S}]*[\s\p{P}\p{S}]*$/u
const TAIL_WINDOW = 256

/**
 * Creates an incremental output meter for one streamed call: feed it every text delta, ask
 * `wouldExceed(limit)` per chunk to stop at a ceiling, and `finish()` to bill what was streamed
 * when the provider sent no usage. Starts loading the encoding in the background.
 * @throws {InvalidArgumentError} a negative or fractional `inputTokens`/`cachedInputTokens`
 * @example
 * const meter = createOutputMeter({ model: 'gpt-4o', inputTokens: estimate.promptTokens })
 * for await (const chunk of stream) {
 *   meter.add(chunk.choices[0]?.delta?.content ?? '')
 *   if (meter.wouldExceed(remainingUnits)) break
 * }
 * const { usage, units } = await meter.finish()
 */
export function createOutputMeter(options: OutputMeterOptions): OutputMeter {
  if (typeof options?.model !== 'string' || options.model.trim() === '') {
    throw new InvalidArgumentError('model', 'expected a non-empty model id')
  }
  const model = options.model
  const info = resolveModel(model)
  const policy = options.policy ?? defaultPolicy
  const inputTokens = checkCount('inputTokens', options.inputTokens ?? 0)
  const cachedInputTokens = Math.min(
    inputTokens,
    checkCount('cachedInputTokens', options.cachedInputTokens ?? 0),
  )
  loadEncoding(info.encoding ?? 'o200k_base').catch(() => undefined)

  const pieces: string[] = []
  let joined = ''
  let joinedPieces = 0
  // Raw (pre-factor) tokens of the text as of the last exact count, and what came after it.
  let countedTokens = 0
  let countedPieces = 0
  let tailBytes = 0
  let pendingBytes = 0

  const text = (): string => {
    if (joinedPieces !== pieces.length) {
      joined += pieces.slice(joinedPieces).join('')
      joinedPieces = pieces.length
    }
    return joined
  }
  const recount = (): boolean => {
    const counter = syncCounter(info)
    if (counter.encoding === undefined) return false
    if (countedPieces !== pieces.length) {
      const all = text()
      countedTokens = counter.count(all)
      countedPieces = pieces.length
      tailBytes = utf8Length(TAIL.exec(all.slice(-TAIL_WINDOW))?.[0] ?? '')
      pendingBytes = 0
    }
    return true
  }
  const boundTokens = (): number =>
    scale(info, countedTokens + (pendingBytes > 0 ? tailBytes + pendingBytes : 0))
  const unitsFor = (outputTokens: number): number =>
    applyPolicy(policy, { inputTokens, cachedInputTokens, outputTokens, reasoningTokens: 0 }, model)
  const current = (): number => (recount() ? scale(info, countedTokens) : boundTokens())

  return {
    add(textDelta) {
      if (typeof textDelta !== 'string')
        throw new InvalidArgumentError('textDelta', 'expected a string')
      if (textDelta === '') return
      pieces.push(textDelta)
      pendingBytes += utf8Length(textDelta)
    },
    get text() {
      return text()
    },
    get tokens() {
      return current()
    },
    get exact() {
      return info.encoding !== null && recount()
    },
    get units() {
      return unitsFor(current())
    },
    wouldExceed(limitUnits) {
      if (typeof limitUnits !== 'number' || Number.isNaN(limitUnits)) {
        throw new InvalidArgumentError('limitUnits', `expected a number, got ${String(limitUnits)}`)
      }
      if (unitsFor(boundTokens()) <= limitUnits) return false
      if (!recount()) return true
      return unitsFor(scale(info, countedTokens)) > limitUnits
    },
    async finish() {
      await loadEncoding(info.encoding ?? 'o200k_base')
      recount()
      const outputTokens = scale(info, countedTokens)
      return {
        usage: { inputTokens, cachedInputTokens, outputTokens, reasoningTokens: 0 },
        units: unitsFor(outputTokens),
        exact: info.encoding !== null,
      }
    },
  }
}

function checkCount(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(field, `expected a non-negative integer, got ${String(value)}`)
  }
  return value
}
