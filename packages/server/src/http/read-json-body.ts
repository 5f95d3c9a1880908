import { ApiError } from '../errors/api-error.js'

/** Bodies over this many bytes are refused with 413 (`api.md`). */
export const MAX_BODY_BYTES = 64 * 1024

const jsonContentType = /^application\/json\s*(;|$)/i
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Reads a request header by lower-case name. */
export type HeaderReader = (name: string) => string | undefined

async function readLimited(
  request: Request,
  header: HeaderReader,
  limit: number,
): Promise<Uint8Array> {
  const declared = header('content-length')
  if (declared !== undefined) {
    const length = Number(declared)
    if (length > limit) throw tooLarge()
    // A declared length within the limit: the runtime enforces it while reading.
    return new Uint8Array(await request.arrayBuffer())
  }
  if (request.body === null) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

function tooLarge(): ApiError {
  return new ApiError('payload_too_large', `The request body is over ${MAX_BODY_BYTES} bytes`)
}

/**
 * Reads a request's JSON body: 413 over 64 KiB, 415 when it is not `application/json`, 400 when
 * it is not valid UTF-8 JSON. An empty body reads as `undefined`.
 */
export async function readJsonBody(
  request: Request,
  header: HeaderReader = (name) => request.headers.get(name) ?? undefined,
): Promise<unknown> {
  const bytes = await readLimited(request, header, MAX_BODY_BYTES)
  if (bytes.byteLength === 0) return undefined
  const contentType = header('content-type')
  if (contentType === undefined || !jsonContentType.test(contentType)) {
    throw new ApiError(
      'unsupported_media_type',
      'Send the body as JSON with Content-Type: application/json',
    )
  }
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    throw new ApiError('invalid_request', 'The request body is not valid UTF-8')
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new ApiError('invalid_request', 'The request body is not valid JSON')
  }
}
