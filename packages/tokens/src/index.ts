export type { PromptParts } from './count-prompt'
export { countTokens, isTokenizerLoaded, preloadTokenizer } from './count-tokens'
export type { CallEstimate, EstimateCallRequest, EstimateMethod } from './estimate-call'
export { estimateCall, estimateCallSync } from './estimate-call'
export type { ImageDimensions } from './image-dimensions'
export { readImageDimensions } from './image-dimensions'
export type { ImageTokens } from './image-tokens'
export { imageTokens } from './image-tokens'
export { InvalidArgumentError } from './invalid-argument-error'
export type {
  AudioPart,
  ChatMessage,
  ContentPart,
  FilePart,
  ImageDetail,
  ImagePart,
  ImageUrlPart,
  JsonSchema,
  RefusalPart,
  ResponseContentPart,
  ResponseInput,
  ResponseInputItem,
  TextPart,
  ToolCall,
  ToolDefinition,
} from './message-types'
export { UNKNOWN_PART_TOKENS } from './message-types'
export { bareModelId } from './model-id'
export type { EncodingName, ImageRule, ModelInfo, ModelProvider } from './model-info'
export {
  APPROXIMATION_FACTORS,
  DEFAULT_OUTPUT_TOKENS,
  DEFAULT_REASONING_OUTPUT_TOKENS,
  resolveModel,
} from './model-info'
export { getModelPrice } from './model-price'
export type { NormalizeUsageOptions } from './normalize-usage'
export { normalizeUsage } from './normalize-usage'
export type { NormalizedUsage } from './normalized-usage'
export type { OutputAllowanceOptions } from './output-allowance'
export { outputAllowance } from './output-allowance'
export type { MeteredUsage, OutputMeter, OutputMeterOptions } from './output-meter'
export { createOutputMeter } from './output-meter'
export type { ModelPrice } from './price-table'
export { PRICE_TABLE, PRICE_TABLE_DATE } from './price-table'
export type { PricedUsage, PriceUsageRequest } from './price-usage'
export { priceUsage } from './price-usage'
export { TokensError } from './tokens-error'
export type { TokensPolicyOptions } from './tokens-policy'
export { defaultPolicy, tokensPolicy } from './tokens-policy'
export type { UnitsPolicy } from './units-policy'
export { applyPolicy } from './units-policy'
export { UnpricedModelError } from './unpriced-model-error'
export type { UsdPolicyOptions } from './usd-policy'
export { usd, usdPolicy } from './usd-policy'
export { VERSION } from './version'
export type { TokenWeights } from './weighted-policy'
export { weightedPolicy } from './weighted-policy'
