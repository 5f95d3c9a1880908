/**
 * Decodes server-sent events from bytes as they arrive, for reading a raw streamed body beside
 * its caller: yields each event's `data` parsed as JSON (`[DONE]` and unparsable data are
 * skipped — the caller's own parser judges those).
 */
export class SseDecoder {
  readonly #text = new TextDecoder()
  #pending = ''
  #data: string[] = []

  /** Takes the next bytes; returns the events they completed. */
  push(bytes: Uint8Array): unknown[] {
    return this.#lines(this.#text.decode(bytes, { stream: true }), false)
  }

  /** The body ended: returns the last event, if it lacked its blank line. */
  flush(): unknown[] {
    const events = this.#lines(this.#text.decode(), true)
    const last = this.#dispatch()
    return last === undefined ? events : [...events, last]
  }

  #lines(text: string, final: boolean): unknown[] {
    let buffer = this.#pending + text
    // A trailing CR may be the first half of a CRLF split across two reads.
    const keep = !final && buffer.endsWith('\r') ? 1 : 0
    const lines = buffer.slice(0, buffer.length - keep).split(/\r\n|\r|\n/)
    buffer = final ? '' : `${lines.pop() ?? ''}${keep === 1 ? '\r' : ''}`
    this.#pending = buffer
    const events: unknown[] = []
    for (const line of lines) {
      if (line === '') {
        const event = this.#dispatch()
        if (event !== undefined) events.push(event)
      } else if (line.startsWith('data:')) {
        this.#data.push(line.slice(line.startsWith('data: ') ? 6 : 5))
      }
    }
    return events
  }

  #dispatch(): unknown {
    if (this.#data.length === 0) return undefined
    const data = this.#data.join('\n')
    this.#data = []
    if (data === '[DONE]') return undefined
    try {
      return JSON.parse(data)
    } catch {
      return undefined
    }
  }
}
