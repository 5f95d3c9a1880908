import type { OpenAI } from 'openai'

/**
 * The SDK's per-request options (`body`, `headers`, `signal`, …). Not exported by the SDK's
 * public entry points, so derived from the public `post` signature.
 */
export type RequestOptions = NonNullable<Awaited<Parameters<OpenAI['post']>[1]>>

/** The options of one request as the client sends it (with `method` and `path`). */
export type FinalRequestOptions = Awaited<Parameters<OpenAI['request']>[0]>
