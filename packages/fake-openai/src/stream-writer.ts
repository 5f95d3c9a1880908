import type { ServerResponse } from 'node:http'

/** Writes server-sent events, pausing between them when asked, and stops when the client leaves. */
export class StreamWriter {
  readonly #response: ServerResponse
  #closed = false

  constructor(response: ServerResponse) {
    this.#response = response
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    })
    response.on('close', () => {
      this.#closed = true
    })
  }

  /** Whether the client has gone (aborted, or broke out of its loop). */
  get closed(): boolean {
    return this.#closed
  }

  /** Writes one event: `data:` only (chat completions) or `event:` and `data:` (Responses). */
  async send(data: unknown, options: { event?: string; delayMs?: number } = {}): Promise<boolean> {
    if (options.delayMs !== undefined && options.delayMs > 0)
      await new Promise((resolve) => setTimeout(resolve, options.delayMs))
    if (this.#closed) return false
    const payload = typeof data === 'string' ? data : JSON.stringify(data)
    this.#response.write(
      `${options.event === undefined ? '' : `event: ${options.event}\n`}data: ${payload}\n\n`,
    )
    return true
  }

  end(): void {
    if (!this.#closed) this.#response.end()
  }
}

/** Splits text into word-sized pieces, as a model streams it; joining them gives the text back. */
export function splitIntoChunks(text: string): string[] {
  const pieces = text.match(/\s*\S+/g) ?? []
  const rest = text.slice(pieces.join('').length)
  return rest === '' ? pieces : [...pieces, rest]
}
