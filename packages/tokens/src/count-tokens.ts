import { type Encoding, getLoadedEncoding, loadEncoding } from './encodings'
import { InvalidArgumentError } from './invalid-argument-error'
import { type ModelInfo, resolveModel } from './model-info'
import { utf8Length } from './utf8-length'

/**
 * Counts the tokens of a text for a model: exact for OpenAI encodings (o200k_base, cl100k_base),
 * otherwise o200k_base × the provider's stated approximation factor, rounded up. Loads the
 * encoding on first use. Use it to bill streamed text when the provider sent no usage.
 * @param model - model id
 * @param text - the text, e.g. everything a stream yielded
 * @example await countTokens('gpt-4o', 'Hello world') // 2
 */
export async function countTokens(model: string, text: string): Promise<number> {
  if (typeof text !== 'string') throw new InvalidArgumentError('text', 'expected a string')
  const info = resolveModel(model)
  const encoding = await loadEncoding(info.encoding ?? 'o200k_base')
  return scale(info, encoding.count(text))
}

/**
 * Loads the tokenizer a model needs, so the first estimate does not wait for it (about 0.5 s
 * for o200k_base). Safe to call many times; resolves when ready.
 * @param model - model id; non-OpenAI models load o200k_base for their approximation
 * @example await preloadTokenizer('gpt-4o') // at start-up, off the request path
 */
export async function preloadTokenizer(model: string): Promise<void> {
  await loadEncoding(resolveModel(model).encoding ?? 'o200k_base')
}

/**
 * Whether `countTokens`/`estimateCall` for this model can run without loading anything.
 * @param model - model id
 */
export function isTokenizerLoaded(model: string): boolean {
  return getLoadedEncoding(resolveModel(model).encoding ?? 'o200k_base') !== undefined
}

/** @internal How a text is counted for a model right now. */
export interface TextCounter {
  /** Raw count (before the approximation factor). */
  count: (text: string) => number
  /** `tokenizer`: the model's own encoding; `approximation`: o200k × factor; `upper-bound`: bytes. */
  method: 'tokenizer' | 'approximation' | 'upper-bound'
  encoding: Encoding | undefined
}

/** @internal The best counter available synchronously. */
export function syncCounter(info: ModelInfo): TextCounter {
  const encoding = getLoadedEncoding(info.encoding ?? 'o200k_base')
  if (encoding === undefined) return { count: utf8Length, method: 'upper-bound', encoding }
  return {
    count: encoding.count,
    method: info.encoding === null ? 'approximation' : 'tokenizer',
    encoding,
  }
}

/** @internal Applies the model's approximation factor (1 for exact encodings), rounding up. */
export function scale(info: ModelInfo, rawTokens: number): number {
  return info.approximationFactor === 1
    ? rawTokens
    : Math.ceil(rawTokens * info.approximationFactor)
}
