/**
 * List prices in USD per million tokens. `cachedInput` is the price of a prompt-cache hit
 * (read); when absent, cached input is billed at the `input` price.
 */
export interface ModelPrice {
  /** USD per 1M uncached input tokens. */
  input: number
  /** USD per 1M cached input tokens (cache reads). @default the `input` price */
  cachedInput?: number
  /** USD per 1M output tokens, reasoning included. */
  output: number
}

/**
 * The day the prices below were compiled. Prices change: check the providers' pricing pages
 * before relying on them and pass `usdPolicy({ prices })` to override or add models.
 */
export const PRICE_TABLE_DATE = '2026-11-28'

/**
 * Standard-tier, short-context list prices (USD per 1M tokens) for current OpenAI, Anthropic and
 * Google models, compiled on {@link PRICE_TABLE_DATE} from the providers' pricing and model
 * pages and release notes quoting them. Not represented: Batch/Flex/Priority tiers, long-context
 * surcharges (Gemini Pro above 200K, GPT-5.4+ above 272K prompt tokens), cache writes (Anthropic
 * bills 1.25× input; we bill them as input), audio and image-output rates.
 *
 * Keys are bare model ids; a dated snapshot (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`)
 * resolves to its alias. A model not listed here is *unpriced* — never $0.
 *
 * To update: edit a row, change {@link PRICE_TABLE_DATE}, run the tests.
 */
export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  // OpenAI — GPT-6 generation
  'gpt-6-astra': { input: 10, cachedInput: 1, output: 50 },
  'gpt-6-sol': { input: 2, cachedInput: 0.2, output: 10 },
  'gpt-6-luna': { input: 0.1, cachedInput: 0.01, output: 0.5 },
  'gpt-6.1-sol': { input: 2, cachedInput: 0.1, output: 10 },
  'gpt-6.1-terra': { input: 1, cachedInput: 0.05, output: 5 },
  // OpenAI — GPT-5 generation
  'gpt-5.6-terra': { input: 2, cachedInput: 0.2, output: 12 },
  'gpt-5.6-luna': { input: 0.2, cachedInput: 0.02, output: 1.2 },
  'gpt-5.5': { input: 5, cachedInput: 0.5, output: 30 },
  'gpt-5.5-pro': { input: 30, output: 180 },
  'gpt-5.4': { input: 2.5, cachedInput: 0.25, output: 15 },
  'gpt-5.4-mini': { input: 0.75, cachedInput: 0.075, output: 4.5 },
  'gpt-5.4-nano': { input: 0.2, cachedInput: 0.02, output: 1.25 },
  'gpt-5.4-pro': { input: 30, output: 180 },
  'gpt-5.2': { input: 1.75, cachedInput: 0.175, output: 14 },
  'gpt-5.2-pro': { input: 21, output: 168 },
  'gpt-5.1': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-5-pro': { input: 15, output: 120 },
  // OpenAI — GPT-4 generation and o-series
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  o1: { input: 15, cachedInput: 7.5, output: 60 },
  'o1-pro': { input: 150, output: 600 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o3-pro': { input: 20, output: 80 },
  'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  // Anthropic
  'claude-opus-5-5': { input: 4, cachedInput: 0.2, output: 20 },
  'claude-opus-5': { input: 5, cachedInput: 0.5, output: 25 },
  'claude-sonnet-5': { input: 2, cachedInput: 0.2, output: 10 },
  'claude-opus-4-8': { input: 5, cachedInput: 0.5, output: 25 },
  'claude-opus-4-7': { input: 5, cachedInput: 0.5, output: 25 },
  'claude-opus-4-6': { input: 5, cachedInput: 0.5, output: 25 },
  'claude-opus-4-5': { input: 5, cachedInput: 0.5, output: 25 },
  'claude-opus-4-1': { input: 15, cachedInput: 1.5, output: 75 },
  'claude-opus-4': { input: 15, cachedInput: 1.5, output: 75 },
  'claude-opus-4-0': { input: 15, cachedInput: 1.5, output: 75 },
  'claude-sonnet-4-6': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-sonnet-4-5': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-sonnet-4': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-sonnet-4-0': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-3-7-sonnet': { input: 3, cachedInput: 0.3, output: 15 },
  'claude-haiku-4-5': { input: 1, cachedInput: 0.1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, cachedInput: 0.08, output: 4 },
  'claude-3-haiku': { input: 0.25, cachedInput: 0.03, output: 1.25 },
  // Google (Gemini API, prompts up to 200K tokens)
  'gemini-3.1-pro-preview': { input: 2, cachedInput: 0.2, output: 12 },
  'gemini-3-pro-preview': { input: 2, cachedInput: 0.2, output: 12 },
  'gemini-3-flash-preview': { input: 0.5, cachedInput: 0.05, output: 3 },
  'gemini-3.1-flash-lite-preview': { input: 0.25, cachedInput: 0.025, output: 1.5 },
  'gemini-2.5-pro': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gemini-2.5-flash': { input: 0.3, cachedInput: 0.03, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, cachedInput: 0.01, output: 0.4 },
  'gemini-2.0-flash': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
}
