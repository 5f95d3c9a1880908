import { ceilDivide, checkNumber, type UnitsPolicy } from './units-policy'

/** Units charged per token of each kind. Fractions are honoured to 9 decimal places. */
export interface TokenWeights {
  /** Units per uncached input token. */
  input: number
  /** Units per cached input token. @default the `input` weight */
  cachedInput?: number
  /** Units per visible output token. */
  output: number
  /** Units per reasoning token. @default the `output` weight */
  reasoning?: number
}

const SCALE = 1_000_000_000n

/**
 * Per-token weights: `units = ceil(uncachedInput × input + cachedInput × cachedInput +
 * visibleOutput × output + reasoning × reasoning)`, computed in exact integer arithmetic (no
 * floating-point drift: 3,000 tokens × 0.001 is exactly 3 units, not 4).
 * @throws {InvalidArgumentError} a weight that is negative or not finite
 * @example weightedPolicy({ input: 0.001, cachedInput: 0.0001, output: 0.004 })
 */
export function weightedPolicy(weights: TokenWeights): UnitsPolicy {
  const input = toNano('weights.input', weights.input)
  const cachedInput = toNano('weights.cachedInput', weights.cachedInput ?? weights.input)
  const output = toNano('weights.output', weights.output)
  const reasoning = toNano('weights.reasoning', weights.reasoning ?? weights.output)
  return (usage) => {
    const cached = BigInt(usage.cachedInputTokens)
    const thinking = BigInt(usage.reasoningTokens)
    const total =
      (BigInt(usage.inputTokens) - cached) * input +
      cached * cachedInput +
      (BigInt(usage.outputTokens) - thinking) * output +
      thinking * reasoning
    return ceilDivide(total, SCALE)
  }
}

function toNano(field: string, value: number): bigint {
  return BigInt(Math.round(checkNumber(field, value) * 1e9))
}
