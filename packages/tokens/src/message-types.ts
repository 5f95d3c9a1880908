/**
 * The neutral prompt shape `estimateCall` counts: OpenAI's Chat Completions messages (the lingua
 * franca every adapter can map to cheaply), OpenAI Responses `input` items, and tool definitions
 * in the Chat, Responses and AI SDK forms. Unknown part or item types are accepted and counted
 * from their JSON text (and make the estimate inexact) rather than rejected.
 */

/** Image detail as OpenAI defines it; `auto` is counted as `high` (the upper bound). */
export type ImageDetail = 'auto' | 'low' | 'high'

/** A text part. */
export interface TextPart {
  type: 'text'
  text: string
}

/** An OpenAI image part: an https URL or a `data:` URL (whose header gives the size). */
export interface ImageUrlPart {
  type: 'image_url'
  image_url: { url: string; detail?: ImageDetail }
}

/**
 * A neutral image part for adapters holding bytes (AI SDK `file` parts with an image media type,
 * LangChain base64 blocks): `data` as bytes, base64 or a `data:` URL; or known `width`/`height`.
 * Without either, the model's worst case for the detail level is counted.
 */
export interface ImagePart {
  type: 'image'
  data?: Uint8Array | string
  url?: string
  width?: number
  height?: number
  detail?: ImageDetail
}

/** Audio input; counted as a stated constant ({@link UNKNOWN_PART_TOKENS}). */
export interface AudioPart {
  type: 'input_audio'
  input_audio: { data: string; format: string }
}

/** A file (PDF…); counted as a stated constant ({@link UNKNOWN_PART_TOKENS}). */
export interface FilePart {
  type: 'file'
  file: { file_data?: string; file_id?: string; filename?: string }
}

/** An assistant refusal. */
export interface RefusalPart {
  type: 'refusal'
  refusal: string
}

/** One part of a chat message's array content. */
export type ContentPart = TextPart | ImageUrlPart | ImagePart | AudioPart | FilePart | RefusalPart

/** A tool call made by the assistant in an earlier turn. */
export interface ToolCall {
  id?: string
  type?: 'function'
  function: { name: string; arguments: string }
}

/** An OpenAI Chat Completions message. */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function' | (string & {})
  content?: string | readonly ContentPart[] | null
  name?: string
  tool_calls?: readonly ToolCall[]
  function_call?: { name?: string; arguments?: string } | null
  tool_call_id?: string
}

/** A content part of an OpenAI Responses input message. */
export type ResponseContentPart =
  | { type: 'input_text' | 'output_text'; text: string }
  | { type: 'input_image'; image_url?: string; file_id?: string; detail?: ImageDetail }
  | { type: 'input_file'; file_data?: string; file_id?: string; filename?: string }
  | { type: 'refusal'; refusal: string }

/** An item of an OpenAI Responses `input` array. */
export type ResponseInputItem =
  | {
      type?: 'message'
      role: 'user' | 'assistant' | 'system' | 'developer'
      content: string | readonly ResponseContentPart[]
    }
  | { type: 'function_call'; name: string; arguments: string; call_id?: string }
  | {
      type: 'function_call_output'
      call_id?: string
      output: string | readonly ResponseContentPart[]
    }
  | { type: 'reasoning'; summary?: readonly { text: string }[] }
  | { type: 'item_reference'; id: string }

/** OpenAI Responses `input`. */
export type ResponseInput = string | readonly ResponseInputItem[]

/** A JSON Schema object, as tools declare their parameters. */
export type JsonSchema = { readonly [key: string]: unknown }

/** A function tool in any of the three request forms. */
export type ToolDefinition =
  /** Chat Completions: `{ type: 'function', function: { name, description, parameters } }` */
  | {
      type: 'function'
      function: { name: string; description?: string; parameters?: JsonSchema }
    }
  /** Responses: `{ type: 'function', name, description, parameters }` */
  | { type: 'function'; name: string; description?: string; parameters?: JsonSchema | null }
  /** AI SDK: `{ type: 'function', name, description, inputSchema }` */
  | { type: 'function'; name: string; description?: string; inputSchema: JsonSchema }
  /** Built-in or provider tools (web search, …): counted from their JSON text. */
  | { type: string; [key: string]: unknown }

/**
 * Tokens counted for a part whose size cannot be known before the call (audio, files, Responses
 * `item_reference`); the estimate is then marked inexact.
 */
export const UNKNOWN_PART_TOKENS = 1000
