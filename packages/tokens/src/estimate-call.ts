import { countPrompt, type PromptParts } from './count-prompt'
import { scale, syncCounter } from './count-tokens'
import { loadEncoding } from './encodings'
import { InvalidArgumentError } from './invalid-argument-error'
import { type EncodingName, resolveModel } from './model-info'
import type { NormalizedUsage } from './normalized-usage'
import { outputAllowance } from './output-allowance'
import { defaultPolicy } from './tokens-policy'
import { applyPolicy, type UnitsPolicy } from './units-policy'

/** One model call as an adapter sees it before sending it. */
export interface EstimateCallRequest extends PromptParts {
  /** Model id, with or without provider prefix (`gpt-4o`, `openai/gpt-4o`, `claude-sonnet-4-5`). */
  model: string
  /**
   * The request's output cap; `null`/absent means none (the per-model default is used).
   * @default undefined
   */
  maxOutputTokens?: number | null
  /**
   * Output allowance when the request has no cap.
   * @default 4,096 (8,192 for reasoning models), clamped to the model's max output
   */
  defaultOutputTokens?: number
  /** @default defaultPolicy (one unit per 1,000 tokens) */
  policy?: UnitsPolicy
  /**
   * Units left under the run's ceiling (or the customer's balance), when the adapter knows them.
   * `estimateCall` then skips loading the encoding if the synchronous upper bound already fits
   * — the exact count can only be smaller, so the decision cannot change — and waits for the
   * exact count only when the bound is at or over the limit (close to the ceiling).
   * @default undefined (always count exactly)
   */
  remainingUnits?: number
}

/** How the prompt was counted. */
export type EstimateMethod = 'tokenizer' | 'approximation' | 'upper-bound'

/** The estimate of one call, to send to `preflight`. */
export interface CallEstimate {
  model: string
  /** Prompt tokens: text, chat overhead, tool schemas, images, other parts. */
  promptTokens: number
  /** Output tokens reserved: the request's cap or the model default, clamped to the model max. */
  outputAllowance: number
  /** `policy({ inputTokens: promptTokens, outputTokens: outputAllowance, … })`. */
  units: number
  /** The usage the units were computed from. */
  usage: NormalizedUsage
  /**
   * `true` when every part of the prompt was counted by the model's own tokenizer and a
   * published rule from known inputs; `false` for approximations, upper bounds, images of
   * unknown size, audio and files.
   */
  exact: boolean
  /**
   * `tokenizer` (the model's encoding), `approximation` (o200k_base × the provider's factor, for
   * non-OpenAI models) or `upper-bound` (UTF-8 bytes: the encoding was not loaded yet).
   */
  method: EstimateMethod
  /** The exact encoding used, or `null` for approximated models. */
  encoding: EncodingName | null
}

/**
 * Estimates one call before it runs: prompt tokens (exact for OpenAI encodings, including chat
 * overhead, tool schemas and images), the output allowance, and the units under the policy.
 * Loads the encoding on first use (~0.5 s once per process; see `preloadTokenizer`).
 * @throws {InvalidArgumentError} a malformed request, naming the field
 * @throws {UnpricedModelError} from the `usd` policy for an unpriced model
 * @example
 * const estimate = await estimateCall({
 *   model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], maxOutputTokens: 200, policy: usd,
 * })
 */
export async function estimateCall(request: EstimateCallRequest): Promise<CallEstimate> {
  const info = resolveModel(checkModel(request))
  const remaining = request.remainingUnits
  if (
    remaining !== undefined &&
    (typeof remaining !== 'number' || Number.isNaN(remaining) || remaining < 0)
  ) {
    throw new InvalidArgumentError(
      'remainingUnits',
      `expected a number ≥ 0, got ${String(remaining)}`,
    )
  }
  const quick = estimateCallSync(request)
  if (quick.method !== 'upper-bound') return quick
  if (remaining !== undefined) {
    if (quick.units <= remaining) {
      // Far from the limit: answer now and warm the encoding for the next call. A load failure
      // surfaces on the next call that needs the exact count.
      loadEncoding(info.encoding ?? 'o200k_base').catch(() => undefined)
      return quick
    }
  }
  await loadEncoding(info.encoding ?? 'o200k_base')
  return estimateCallSync(request)
}

/**
 * The synchronous estimate: exact (or the provider approximation) when the encoding is already
 * loaded, otherwise a guaranteed upper bound from UTF-8 byte counts (`method: 'upper-bound'`) —
 * every BPE token covers at least one byte, so the exact count is never larger. Cheap enough to
 * try first on every call.
 * @throws {InvalidArgumentError} a malformed request, naming the field
 */
export function estimateCallSync(request: EstimateCallRequest): CallEstimate {
  const model = checkModel(request)
  const info = resolveModel(model)
  const counter = syncCounter(info)
  const counted = countPrompt(request, info, counter.count)
  const tools = request.tools ?? []
  const promptTokens =
    scale(info, counted.textTokens) +
    counted.imageTokens +
    counted.otherTokens +
    (tools.length > 0 ? info.toolsOverheadTokens : 0)
  const allowance = outputAllowance(info, {
    maxOutputTokens: request.maxOutputTokens ?? null,
    ...(request.defaultOutputTokens !== undefined
      ? { defaultOutputTokens: request.defaultOutputTokens }
      : {}),
  })
  const usage: NormalizedUsage = {
    inputTokens: promptTokens,
    cachedInputTokens: 0,
    outputTokens: allowance,
    reasoningTokens: 0,
  }
  return {
    model,
    promptTokens,
    outputAllowance: allowance,
    units: applyPolicy(request.policy ?? defaultPolicy, usage, model),
    usage,
    exact: counter.method === 'tokenizer' && counted.exact,
    method: counter.method,
    encoding: info.encoding,
  }
}

function checkModel(request: EstimateCallRequest): string {
  if (typeof request !== 'object' || request === null) {
    throw new InvalidArgumentError('request', 'expected an object')
  }
  if (typeof request.model !== 'string' || request.model.trim() === '') {
    throw new InvalidArgumentError('model', 'expected a non-empty model id')
  }
  return request.model
}
