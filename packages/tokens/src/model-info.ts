import { bareModelId } from './model-id'

/** A tokenizer this package can count exactly (through `gpt-tokenizer`). */
export type EncodingName = 'o200k_base' | 'cl100k_base'

/** Who serves a model; decides the counting rule when no exact encoding is known. */
export type ModelProvider = 'openai' | 'anthropic' | 'google' | 'mistral' | 'other'

/** How images in a prompt are turned into tokens for a model. */
export type ImageRule =
  /** OpenAI high detail: fit in 2048², shortest side 768, `base + tile × 512px tiles`; low detail: `base`. */
  | { kind: 'tiles'; base: number; tile: number }
  /** OpenAI mini/nano models: 32 px patches (at most 1536) × a multiplier. */
  | { kind: 'patches'; multiplier: number }
  /** Anthropic: `width × height / 750`, at most 1600 tokens. */
  | { kind: 'area'; pixelsPerToken: number; max: number }

/** What this package knows about a model. Everything except `id` and `provider` may be unknown. */
export interface ModelInfo {
  /** The bare id (see `bareModelId`). */
  id: string
  provider: ModelProvider
  /** The exact encoding, or `null` when the provider's tokenizer is not public. */
  encoding: EncodingName | null
  /**
   * Tokens counted with o200k_base are multiplied by this when `encoding` is `null`: a stated
   * approximation of the provider's tokenizer with a safety margin. `1` for exact encodings.
   */
  approximationFactor: number
  /** The model's maximum output tokens, when known. */
  maxOutputTokens: number | undefined
  /** The output allowance used when a request sets no cap (already clamped to `maxOutputTokens`). */
  defaultOutputTokens: number
  /** Whether the model spends hidden reasoning tokens (billed as output). */
  reasoning: boolean
  imageRule: ImageRule
  /** Tokens a provider adds to the prompt whenever tools are declared (Anthropic's tool prompt). */
  toolsOverheadTokens: number
}

/** Output allowance when a request has no cap, for models without hidden reasoning. */
export const DEFAULT_OUTPUT_TOKENS = 4096
/** Output allowance when a request has no cap, for reasoning models (reasoning is billed as output). */
export const DEFAULT_REASONING_OUTPUT_TOKENS = 8192

/**
 * Approximation factors over o200k_base counts for providers whose tokenizer is not public.
 * Chosen on the high side so a preflight estimate over-reserves rather than under-reserves;
 * the recorded usage always comes from the provider.
 */
export const APPROXIMATION_FACTORS: Readonly<Record<ModelProvider, number>> = {
  // OpenAI models not mapped to a known encoding (a newer family) are probably close to o200k.
  openai: 1.1,
  anthropic: 1.4,
  google: 1.2,
  mistral: 1.25,
  other: 1.25,
}

const OPENAI_TILES_4O: ImageRule = { kind: 'tiles', base: 85, tile: 170 }
const ANTHROPIC_AREA: ImageRule = { kind: 'area', pixelsPerToken: 750, max: 1600 }

interface FamilyRule {
  pattern: RegExp
  provider: ModelProvider
  encoding?: EncodingName
  maxOutputTokens?: number
  reasoning?: boolean
  imageRule?: ImageRule
}

// First match wins, so more specific prefixes come first. Max output from the providers' model
// pages (as catalogued by gpt-tokenizer 4.0 for OpenAI).
const FAMILIES: readonly FamilyRule[] = [
  // OpenAI, o200k_base
  {
    pattern: /^gpt-4o-mini/,
    provider: 'openai',
    encoding: 'o200k_base',
    maxOutputTokens: 16384,
    imageRule: { kind: 'tiles', base: 2833, tile: 5667 },
  },
  {
    pattern: /^(?:gpt-4o|chatgpt-4o)/,
    provider: 'openai',
    encoding: 'o200k_base',
    maxOutputTokens: 16384,
  },
  {
    pattern: /^gpt-4\.1-mini/,
    provider: 'openai',
    encoding: 'o200k_base',
    maxOutputTokens: 32768,
    imageRule: { kind: 'patches', multiplier: 1.62 },
  },
  {
    pattern: /^gpt-4\.1-nano/,
    provider: 'openai',
    encoding: 'o200k_base',
    maxOutputTokens: 32768,
    imageRule: { kind: 'patches', multiplier: 2.46 },
  },
  { pattern: /^gpt-4\.1/, provider: 'openai', encoding: 'o200k_base', maxOutputTokens: 32768 },
  { pattern: /^gpt-4\.5/, provider: 'openai', encoding: 'o200k_base', maxOutputTokens: 16384 },
  {
    pattern: /^gpt-5(?:\.\d+)?-chat/,
    provider: 'openai',
    encoding: 'o200k_base',
    maxOutputTokens: 16384,
    imageRule: { kind: 'tiles', base: 70, tile: 140 },
  },
  {
    pattern: /^gpt-5-mini/,
    provider: 'openai',
    encoding: 'o200k_base',
    maxOutputTokens: 128000,
    reasoning: true,
    imageRule: { kind: 'patches', multiplier: 1.62 },
  },
  {
    pattern: /^gpt-5-nano/,
    provider: 'openai',
    encoding: 'o200k_base',
    maxOutputTokens: 128000,
    reasoning: true,
    imageRule: { kind: 'patches', multiplier: 2.46 },
  },
  {
    pattern: /^gpt-5-pro/,
    provider: 'openai',
    encoding: 'o200k_base',
    maxOutputTokens: 272000,
    reasoning: true,
    imageRule: { kind: 'tiles', base: 70, tile: 140 },
  },
  {
    pattern: /^gpt-5(?:$|[-.])/,
    provider: 'openai',
    encoding: 'o200k_base',
    maxOutputTokens: 128000,
    reasoning: true,
    imageRule: { kind: 'tiles', base: 70, tile: 140 },
  },
  {
    pattern: /^o4-mini/,
    provider: 'openai',
    encoding: 'o200k_base',
    maxOutputTokens: 100000,
    reasoning: true,
    imageRule: { kind: 'patches', multiplier: 1.72 },
  },
  {
    pattern: /^o1-mini/,
    provider: 'openai',
    encoding: 'o200k_base',
    maxOutputTokens: 65536,
    reasoning: true,
  },
  {
    pattern: /^o[134](?:$|-)/,
    provider: 'openai',
    encoding: 'o200k_base',
    maxOutputTokens: 100000,
    reasoning: true,
    imageRule: { kind: 'tiles', base: 75, tile: 150 },
  },
  {
    pattern: /^gpt-oss/,
    provider: 'openai',
    encoding: 'o200k_base',
    maxOutputTokens: 131072,
    reasoning: true,
  },
  {
    pattern: /^(?:codex-mini|computer-use|gpt-realtime|gpt-audio)/,
    provider: 'openai',
    encoding: 'o200k_base',
  },
  // OpenAI, cl100k_base
  { pattern: /^gpt-4-turbo/, provider: 'openai', encoding: 'cl100k_base', maxOutputTokens: 4096 },
  { pattern: /^gpt-4(?:$|-)/, provider: 'openai', encoding: 'cl100k_base', maxOutputTokens: 8192 },
  {
    pattern: /^gpt-3\.5|^gpt-35/,
    provider: 'openai',
    encoding: 'cl100k_base',
    maxOutputTokens: 4096,
  },
  { pattern: /^text-embedding-(?:3|ada-002)/, provider: 'openai', encoding: 'cl100k_base' },
  // OpenAI families without a known public encoding: approximated.
  { pattern: /^(?:gpt-|chatgpt-|o\d)/, provider: 'openai', reasoning: true },
  // Anthropic
  {
    pattern: /^claude-(?:opus-4-0|opus-4-1|opus-4)(?:$|-\d{8})/,
    provider: 'anthropic',
    maxOutputTokens: 32000,
  },
  { pattern: /^claude-opus-4-5/, provider: 'anthropic', maxOutputTokens: 64000 },
  {
    pattern: /^claude-3-7-sonnet|^claude-(?:sonnet|haiku)-4/,
    provider: 'anthropic',
    maxOutputTokens: 64000,
  },
  { pattern: /^claude-3-5-haiku|^claude-3-5-sonnet/, provider: 'anthropic', maxOutputTokens: 8192 },
  { pattern: /^claude-3-/, provider: 'anthropic', maxOutputTokens: 4096 },
  { pattern: /^claude-opus-(?:4-[6-9]|5)/, provider: 'anthropic', maxOutputTokens: 128000 },
  { pattern: /^claude-/, provider: 'anthropic' },
  // Google
  { pattern: /^gemini-2\.0/, provider: 'google', maxOutputTokens: 8192 },
  { pattern: /^gemini-(?:2\.5|3)/, provider: 'google', maxOutputTokens: 65536, reasoning: true },
  { pattern: /^(?:gemini|gemma)/, provider: 'google' },
  // Mistral
  {
    pattern: /^(?:mistral|mixtral|codestral|ministral|magistral|pixtral|devstral|open-mistral)/,
    provider: 'mistral',
  },
]

const cache = new Map<string, ModelInfo>()

/**
 * Looks up what the package knows about a model: its provider, exact encoding (if any), output
 * limits, image rule. Unknown models resolve to provider `other` with stated defaults — never
 * to an error, so an estimate is always possible.
 * @param model - any model id, with or without provider prefix or snapshot suffix
 * @example resolveModel('openai/gpt-4o-2024-08-06').encoding // 'o200k_base'
 */
export function resolveModel(model: string): ModelInfo {
  const cached = cache.get(model)
  if (cached !== undefined) return cached
  const id = bareModelId(model)
  const family = FAMILIES.find((rule) => rule.pattern.test(id))
  const provider = family?.provider ?? 'other'
  const encoding = family?.encoding ?? null
  const reasoning = family?.reasoning ?? false
  const maxOutputTokens = family?.maxOutputTokens
  const preferred = reasoning ? DEFAULT_REASONING_OUTPUT_TOKENS : DEFAULT_OUTPUT_TOKENS
  const info: ModelInfo = {
    id,
    provider,
    encoding,
    approximationFactor: encoding === null ? APPROXIMATION_FACTORS[provider] : 1,
    maxOutputTokens,
    defaultOutputTokens: Math.min(preferred, maxOutputTokens ?? preferred),
    reasoning,
    imageRule: family?.imageRule ?? (provider === 'openai' ? OPENAI_TILES_4O : ANTHROPIC_AREA),
    // Anthropic documents a tool-use system prompt of 313–346 tokens on current models.
    toolsOverheadTokens: provider === 'anthropic' ? 346 : 0,
  }
  if (cache.size > 1000) cache.clear()
  cache.set(model, info)
  return info
}
