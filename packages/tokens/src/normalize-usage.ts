import type { NormalizedUsage } from './normalized-usage'

/** Options of {@link normalizeUsage}. */
export interface NormalizeUsageOptions {
  /**
   * Values for totals the provider did not report (AI SDK usage fields may be `undefined`; a
   * stream that stopped early has none). Typically `{ inputTokens: estimate.promptTokens }` and
   * `{ outputTokens: meter.tokens }`.
   * @default {} (a missing total counts as 0 only when some other total was reported)
   */
  fallback?: Partial<NormalizedUsage>
}

type Record_ = Record<string, unknown>

/**
 * Normalises any usage shape the adapters see into {@link NormalizedUsage}:
 *
 * - OpenAI Chat Completions `usage` (`prompt_tokens`, `completion_tokens`,
 *   `prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`)
 * - OpenAI Responses `usage` (`input_tokens`, `output_tokens`, `input_tokens_details.cached_tokens`,
 *   `output_tokens_details.reasoning_tokens`)
 * - AI SDK v3/v4 nested (`inputTokens: {total, noCache, cacheRead, cacheWrite}`,
 *   `outputTokens: {total, text, reasoning}`) and v2 flat (`inputTokens`, `outputTokens`,
 *   `totalTokens`, `reasoningTokens`, `cachedInputTokens`)
 * - LangChain `usage_metadata` (`input_tokens`, `output_tokens`, `input_token_details.cache_read`,
 *   `output_token_details.reasoning`) and `llmOutput.tokenUsage` (`promptTokens`, `completionTokens`)
 * - raw Anthropic (`cache_read_input_tokens`, `cache_creation_input_tokens`, which Anthropic
 *   reports *beside* `input_tokens`) and raw Gemini `usageMetadata` (`promptTokenCount`,
 *   `candidatesTokenCount`, `thoughtsTokenCount`, `cachedContentTokenCount`)
 *
 * One wrapper level is unwrapped: `{ usage }`, `{ usage_metadata }`, `{ tokenUsage }`,
 * `{ usageMetadata }`. Missing, negative or non-numeric fields count as not reported; fractional
 * values are rounded up. Subsets are clamped to their totals.
 *
 * @param usage - the provider's or framework's usage object
 * @param options - fallbacks for totals that were not reported
 * @returns the normalised usage, or `undefined` when no token count was recognised at all (so a
 *   caller never bills a silent zero)
 * @example normalizeUsage({ prompt_tokens: 12, completion_tokens: 5 })
 * // { inputTokens: 12, cachedInputTokens: 0, outputTokens: 5, reasoningTokens: 0 }
 */
export function normalizeUsage(
  usage: unknown,
  options: NormalizeUsageOptions = {},
): NormalizedUsage | undefined {
  const read = readUsage(unwrap(usage))
  const fallback = options.fallback ?? {}
  const inputTokens = read.input ?? count(fallback.inputTokens)
  const outputTokens = read.output ?? count(fallback.outputTokens)
  if (inputTokens === undefined && outputTokens === undefined) return undefined
  const input = inputTokens ?? 0
  const output = outputTokens ?? 0
  return {
    inputTokens: input,
    cachedInputTokens: Math.min(input, read.cached ?? count(fallback.cachedInputTokens) ?? 0),
    outputTokens: output,
    reasoningTokens: Math.min(output, read.reasoning ?? count(fallback.reasoningTokens) ?? 0),
  }
}

interface ReadUsage {
  input: number | undefined
  cached: number | undefined
  output: number | undefined
  reasoning: number | undefined
}

const WRAPPER_KEYS = ['usage', 'usage_metadata', 'tokenUsage', 'usageMetadata'] as const

function unwrap(value: unknown): Record_ | undefined {
  if (!isRecord(value)) return undefined
  for (const key of WRAPPER_KEYS) {
    const inner = value[key]
    if (isRecord(inner)) return inner
  }
  return value
}

function readUsage(usage: Record_ | undefined): ReadUsage {
  const none: ReadUsage = {
    input: undefined,
    cached: undefined,
    output: undefined,
    reasoning: undefined,
  }
  if (usage === undefined) return none

  // AI SDK v3/v4: nested objects.
  if (isRecord(usage.inputTokens) || isRecord(usage.outputTokens)) {
    const input = isRecord(usage.inputTokens) ? usage.inputTokens : {}
    const output = isRecord(usage.outputTokens) ? usage.outputTokens : {}
    const noCache = count(input.noCache)
    const cacheRead = count(input.cacheRead)
    const cacheWrite = count(input.cacheWrite)
    const text = count(output.text)
    const reasoning = count(output.reasoning)
    return {
      input: count(input.total) ?? sumIfAny(noCache, cacheRead, cacheWrite),
      cached: cacheRead,
      output: count(output.total) ?? sumIfAny(text, reasoning),
      reasoning,
    }
  }

  // OpenAI Chat Completions, and LangChain tokenUsage (camelCase).
  const prompt = count(usage.prompt_tokens) ?? count(usage.promptTokens)
  const completion = count(usage.completion_tokens) ?? count(usage.completionTokens)
  if (prompt !== undefined || completion !== undefined) {
    return {
      input: prompt,
      cached: count(path(usage, 'prompt_tokens_details', 'cached_tokens')),
      output: completion,
      reasoning: count(path(usage, 'completion_tokens_details', 'reasoning_tokens')),
    }
  }

  // Raw Gemini usageMetadata: candidates exclude thoughts.
  const promptCount = count(usage.promptTokenCount)
  const candidates = count(usage.candidatesTokenCount)
  const thoughts = count(usage.thoughtsTokenCount)
  if (promptCount !== undefined || candidates !== undefined || thoughts !== undefined) {
    return {
      input: promptCount,
      cached: count(usage.cachedContentTokenCount),
      output: sumIfAny(candidates, thoughts),
      reasoning: thoughts,
    }
  }

  // OpenAI Responses, LangChain usage_metadata, raw Anthropic (all snake_case input/output).
  const inputSnake = count(usage.input_tokens)
  const outputSnake = count(usage.output_tokens)
  const cacheReadInput = count(usage.cache_read_input_tokens)
  const cacheCreationInput = count(usage.cache_creation_input_tokens)
  if (inputSnake !== undefined || outputSnake !== undefined) {
    // Anthropic reports cache reads and writes beside input_tokens, not inside it.
    const anthropic = cacheReadInput !== undefined || cacheCreationInput !== undefined
    return {
      input: anthropic
        ? (inputSnake ?? 0) + (cacheReadInput ?? 0) + (cacheCreationInput ?? 0)
        : inputSnake,
      cached:
        cacheReadInput ??
        count(path(usage, 'input_tokens_details', 'cached_tokens')) ??
        count(path(usage, 'input_token_details', 'cache_read')),
      output: outputSnake,
      reasoning:
        count(path(usage, 'output_tokens_details', 'reasoning_tokens')) ??
        count(path(usage, 'output_token_details', 'reasoning')),
    }
  }

  // AI SDK v2 flat (and this package's own shape).
  const inputFlat = count(usage.inputTokens)
  const outputFlat = count(usage.outputTokens)
  if (inputFlat !== undefined || outputFlat !== undefined) {
    const reasoning = count(usage.reasoningTokens)
    const total = count(usage.totalTokens)
    let output = outputFlat
    // Some v2 providers (Gemini) report reasoning beside outputTokens; totalTokens tells.
    if (
      output !== undefined &&
      reasoning !== undefined &&
      reasoning > 0 &&
      total !== undefined &&
      total === (inputFlat ?? 0) + output + reasoning
    ) {
      output += reasoning
    }
    return {
      input: inputFlat,
      cached: count(usage.cachedInputTokens),
      output,
      reasoning,
    }
  }
  return none
}

function isRecord(value: unknown): value is Record_ {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function path(value: Record_, outer: string, inner: string): unknown {
  const nested = value[outer]
  return isRecord(nested) ? nested[inner] : undefined
}

/** A reported token count: a finite number ≥ 0, rounded up; anything else is "not reported". */
function count(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined
  return Math.ceil(value)
}

function sumIfAny(...values: (number | undefined)[]): number | undefined {
  let sum: number | undefined
  for (const value of values) if (value !== undefined) sum = (sum ?? 0) + value
  return sum
}
