import { describe, expect, it } from 'vitest'
import { SseDecoder } from './sse-decoder'

const encoder = new TextEncoder()

function decodeInPieces(text: string, size: number): unknown[] {
  const decoder = new SseDecoder()
  const bytes = encoder.encode(text)
  const events: unknown[] = []
  for (let start = 0; start < bytes.length; start += size) {
    events.push(...decoder.push(bytes.subarray(start, start + size)))
  }
  return [...events, ...decoder.flush()]
}

describe('SseDecoder', () => {
  const body =
    'data: {"a":1}\n\n' +
    'event: response.completed\r\ndata: {"b":"é"}\r\n\r\n' +
    ': a comment\n' +
    'data: {"c":\ndata: 3}\n\n' +
    'data: [DONE]\n\n'

  it('yields each event, however the bytes are split (CRLF and multi-byte characters too)', () => {
    for (const size of [1, 2, 3, 7, body.length]) {
      expect(decodeInPieces(body, size)).toEqual([{ a: 1 }, { b: 'é' }, { c: 3 }])
    }
  })

  it('yields a last event that ended without its blank line', () => {
    expect(decodeInPieces('data: {"last":true}', 4)).toEqual([{ last: true }])
  })

  it('skips data that is not JSON', () => {
    expect(decodeInPieces('data: not json\n\ndata: {"ok":1}\n\n', 5)).toEqual([{ ok: 1 }])
  })
})
