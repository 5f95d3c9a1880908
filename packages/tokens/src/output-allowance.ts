import { InvalidArgumentError } from './invalid-argument-error'
import { type ModelInfo, resolveModel } from './model-info'

/** Options of {@link outputAllowance}. */
export interface OutputAllowanceOptions {
  /** The request's own cap (`max_tokens`, `max_completion_tokens`, `max_output_tokens`, `maxOutputTokens`). */
  maxOutputTokens?: number | null
  /**
   * Allowance when the request has no cap.
   * @default 4,096 (8,192 for reasoning models), clamped to the model's max output
   */
  defaultOutputTokens?: number
}

/**
 * The output tokens to reserve for a call: the request's cap (`0` is a cap of zero), else a
 * per-model default; either way clamped to the model's maximum output when known. Never "the
 * whole budget".
 * @param model - model id or resolved model info
 * @throws {InvalidArgumentError} `maxOutputTokens` / `defaultOutputTokens` not a non-negative integer
 * @example outputAllowance('gpt-4o', { maxOutputTokens: 100_000 }) // 16384 (gpt-4o's max output)
 */
export function outputAllowance(
  model: string | ModelInfo,
  options: OutputAllowanceOptions = {},
): number {
  const info = typeof model === 'string' ? resolveModel(model) : model
  const max = info.maxOutputTokens ?? Number.POSITIVE_INFINITY
  const cap = options.maxOutputTokens
  if (cap !== undefined && cap !== null) return Math.min(checkCount('maxOutputTokens', cap), max)
  if (options.defaultOutputTokens !== undefined) {
    return Math.min(checkCount('defaultOutputTokens', options.defaultOutputTokens), max)
  }
  return info.defaultOutputTokens
}

function checkCount(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(field, `expected a non-negative integer, got ${String(value)}`)
  }
  return value
}
