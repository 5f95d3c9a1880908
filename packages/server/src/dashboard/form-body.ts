/** Forms the dashboard posts are small; anything past this is refused (as API bodies are). */
export const MAX_FORM_BYTES = 64 * 1024

/** Why a form body could not be read. */
export class FormBodyError extends Error {
  readonly status: 413 | 415
  constructor(status: 413 | 415, message: string) {
    super(message)
    this.name = 'FormBodyError'
    this.status = status
  }
}

/**
 * Reads an `application/x-www-form-urlencoded` body of at most {@link MAX_FORM_BYTES}.
 * @throws {FormBodyError} 415 for another content type, 413 when too large.
 */
export async function readFormBody(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get('content-type') ?? ''
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw new FormBodyError(415, 'Forms must be sent as application/x-www-form-urlencoded')
  }
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > MAX_FORM_BYTES) throw new FormBodyError(413, 'Form too large')
  const chunks: Uint8Array[] = []
  let total = 0
  if (request.body !== null) {
    const reader = request.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > MAX_FORM_BYTES) {
        await reader.cancel()
        throw new FormBodyError(413, 'Form too large')
      }
      chunks.push(value)
    }
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}
