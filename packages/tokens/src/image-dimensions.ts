/** Width and height in pixels. */
export interface ImageDimensions {
  width: number
  height: number
}

interface ByteSource {
  /** Bytes at `[offset, offset + length)`, fewer at the end; decodes only what is asked. */
  read(offset: number, length: number): Uint8Array
}

const MAX_JPEG_SEGMENTS = 512

/**
 * Reads an image's size from the header of PNG, JPEG, GIF or WebP data without decoding the
 * image (and, for base64, decoding only the header bytes).
 * @param data - bytes, a base64 string, or a `data:` URL
 * @returns the dimensions, or `undefined` for an unknown format or truncated header
 */
export function readImageDimensions(data: Uint8Array | string): ImageDimensions | undefined {
  const source = byteSource(data)
  if (source === undefined) return undefined
  const head = source.read(0, 30)
  if (head.length < 10) return undefined
  // PNG: signature, then the IHDR chunk with big-endian width and height.
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) {
    return head.length >= 24 ? dims(be32(head, 16), be32(head, 20)) : undefined
  }
  // GIF87a / GIF89a: little-endian logical screen size.
  if (head[0] === 0x47 && head[1] === 0x49 && head[2] === 0x46) {
    return dims(le16(head, 6), le16(head, 8))
  }
  // WebP: RIFF container with a VP8, VP8L or VP8X chunk.
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP' && head.length >= 30) {
    const chunk = ascii(head, 12, 4)
    if (chunk === 'VP8 ') return dims(le16(head, 26) & 0x3fff, le16(head, 28) & 0x3fff)
    if (chunk === 'VP8L') {
      const b1 = head[22] ?? 0
      const width = 1 + (((b1 & 0x3f) << 8) | (head[21] ?? 0))
      const height =
        1 + ((((head[24] ?? 0) & 0x0f) << 10) | ((head[23] ?? 0) << 2) | ((b1 & 0xc0) >> 6))
      return dims(width, height)
    }
    if (chunk === 'VP8X') return dims(1 + le24(head, 24), 1 + le24(head, 27))
    return undefined
  }
  // JPEG: walk the segments to the first start-of-frame marker.
  if (head[0] === 0xff && head[1] === 0xd8) return readJpeg(source)
  return undefined
}

function readJpeg(source: ByteSource): ImageDimensions | undefined {
  let offset = 2
  for (let segment = 0; segment < MAX_JPEG_SEGMENTS; segment++) {
    const header = source.read(offset, 9)
    if (header.length < 4 || header[0] !== 0xff) return undefined
    const marker = header[1] ?? 0
    if (marker === 0xff) {
      offset += 1 // fill byte
      continue
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2 // markers without a length
      continue
    }
    const isStartOfFrame =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isStartOfFrame) {
      return header.length >= 9 ? dims(be16(header, 7), be16(header, 5)) : undefined
    }
    if (marker === 0xd9 || marker === 0xda) return undefined // end of image / start of scan
    offset += 2 + be16(header, 2)
  }
  return undefined
}

function byteSource(data: Uint8Array | string): ByteSource | undefined {
  if (typeof data !== 'string') {
    return { read: (offset, length) => data.subarray(offset, offset + length) }
  }
  let base64 = data
  if (base64.startsWith('data:')) {
    const comma = base64.indexOf(',')
    if (comma === -1 || !base64.slice(0, comma).endsWith(';base64')) return undefined
    base64 = base64.slice(comma + 1)
  }
  return {
    read(offset, length) {
      // 3 bytes per 4 base64 characters: decode only the groups covering the range.
      const firstGroup = Math.floor(offset / 3)
      const lastGroup = Math.ceil((offset + length) / 3)
      const chunk = base64.slice(firstGroup * 4, lastGroup * 4).replace(/[^A-Za-z0-9+/=]/g, '')
      let binary: string
      try {
        binary = atob(chunk.slice(0, chunk.length - (chunk.length % 4)))
      } catch {
        return new Uint8Array(0)
      }
      const start = offset - firstGroup * 3
      const bytes = new Uint8Array(Math.max(0, Math.min(length, binary.length - start)))
      for (let index = 0; index < bytes.length; index++)
        bytes[index] = binary.charCodeAt(start + index)
      return bytes
    },
  }
}

function dims(width: number, height: number): ImageDimensions | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined
}

function be16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0)
}

function be32(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) * 0x1000000 + be16(bytes, at + 1) * 0x100 + (bytes[at + 3] ?? 0)
}

function le16(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8)
}

function le24(bytes: Uint8Array, at: number): number {
  return le16(bytes, at) | ((bytes[at + 2] ?? 0) << 16)
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length))
}
