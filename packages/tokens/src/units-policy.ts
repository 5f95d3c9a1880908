import { InvalidArgumentError } from './invalid-argument-error'
import type { NormalizedUsage } from './normalized-usage'

/**
 * Turns one call's usage into billing units (a non-negative integer). The model id is passed as
 * the adapter saw it, so a policy can price per model.
 */
export type UnitsPolicy = (usage: NormalizedUsage, model: string) => number

/**
 * Runs a policy and checks its result, so a user policy that returns `NaN`, a fraction or a
 * negative number fails loudly instead of billing garbage.
 * @throws {InvalidArgumentError} `policy` when the result is not a non-negative safe integer
 */
export function applyPolicy(policy: UnitsPolicy, usage: NormalizedUsage, model: string): number {
  for (const key of USAGE_KEYS) {
    const value = usage[key]
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InvalidArgumentError(
        `usage.${key}`,
        `expected a non-negative integer, got ${String(value)}`,
      )
    }
  }
  if (usage.cachedInputTokens > usage.inputTokens || usage.reasoningTokens > usage.outputTokens) {
    throw new InvalidArgumentError(
      'usage',
      'cachedInputTokens must not exceed inputTokens, nor reasoningTokens outputTokens',
    )
  }
  const units = policy(usage, model)
  if (typeof units !== 'number' || !Number.isSafeInteger(units) || units < 0) {
    throw new InvalidArgumentError(
      'policy',
      `the units policy returned ${String(units)} for model "${model}"; units must be a non-negative integer`,
    )
  }
  return units
}

const USAGE_KEYS = ['inputTokens', 'cachedInputTokens', 'outputTokens', 'reasoningTokens'] as const

/** @internal Ceil of a non-negative bigint fraction, as a number. */
export function ceilDivide(numerator: bigint, denominator: bigint): number {
  return Number((numerator + denominator - 1n) / denominator)
}

/** @internal Validates a numeric option: finite and ≥ 0 (or > 0 when `positive`). */
export function checkNumber(field: string, value: number, positive = false): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (positive && value === 0)
  ) {
    throw new InvalidArgumentError(
      field,
      `expected a finite number ${positive ? '> 0' : '≥ 0'}, got ${String(value)}`,
    )
  }
  return value
}
