import { describe, expect, it } from 'vitest'
import { readImageDimensions } from './image-dimensions'
import { imageTokens } from './image-tokens'
import type { ImageRule } from './model-info'

const gpt4o: ImageRule = { kind: 'tiles', base: 85, tile: 170 }
const gpt4oMini: ImageRule = { kind: 'tiles', base: 2833, tile: 5667 }
const gpt41Mini: ImageRule = { kind: 'patches', multiplier: 1.62 }
const anthropic: ImageRule = { kind: 'area', pixelsPerToken: 750, max: 1600 }

describe('imageTokens — OpenAI’s published worked examples', () => {
  it('tiles: 1024×1024 high = 765, 2048×4096 high = 1105, any low = 85', () => {
    expect(imageTokens(gpt4o, { width: 1024, height: 1024 }, 'high')).toEqual({
      tokens: 765,
      exact: true,
    })
    expect(imageTokens(gpt4o, { width: 2048, height: 4096 }, 'high')).toEqual({
      tokens: 1105,
      exact: true,
    })
    expect(imageTokens(gpt4o, { width: 4096, height: 8192 }, 'low')).toEqual({
      tokens: 85,
      exact: true,
    })
    expect(imageTokens(gpt4o, undefined, 'low')).toEqual({ tokens: 85, exact: true })
  })

  it('tiles: small images are not scaled up; auto counts as high', () => {
    expect(imageTokens(gpt4o, { width: 512, height: 512 }).tokens).toBe(255)
    expect(imageTokens(gpt4o, { width: 300, height: 200 }, 'auto').tokens).toBe(255)
    expect(imageTokens(gpt4oMini, { width: 1024, height: 1024 }).tokens).toBe(2833 + 4 * 5667)
  })

  it('patches: 1024×1024 → 1024 patches; 1800×2400 → 1452 patches (resized to 1056×1408)', () => {
    expect(imageTokens(gpt41Mini, { width: 1024, height: 1024 }).tokens).toBe(
      Math.ceil(1024 * 1.62),
    )
    expect(imageTokens(gpt41Mini, { width: 1800, height: 2400 }).tokens).toBe(
      Math.ceil(1452 * 1.62),
    )
    expect(imageTokens(gpt41Mini, { width: 20_000, height: 20_000 }).tokens).toBeLessThanOrEqual(
      Math.ceil(1536 * 1.62),
    )
  })

  it('counts the worst case when the size is unknown, and says it is not exact', () => {
    expect(imageTokens(gpt4o, undefined)).toEqual({ tokens: 85 + 8 * 170, exact: false })
    expect(imageTokens(gpt41Mini, undefined)).toEqual({
      tokens: Math.ceil(1536 * 1.62),
      exact: false,
    })
    expect(imageTokens(anthropic, undefined)).toEqual({ tokens: 1600, exact: false })
    // No known size can exceed the worst case.
    for (const [width, height] of [
      [768, 2048],
      [700, 2048],
      [2048, 2048],
      [5000, 800],
      [1, 10_000],
    ] as const) {
      expect(imageTokens(gpt4o, { width, height }).tokens).toBeLessThanOrEqual(85 + 8 * 170)
    }
  })

  it('approximates other providers by area, capped', () => {
    expect(imageTokens(anthropic, { width: 1000, height: 1000 }).tokens).toBe(1334)
    expect(imageTokens(anthropic, { width: 4000, height: 4000 }).tokens).toBe(1600)
  })
})

function png(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33)
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
  const view = new DataView(bytes.buffer)
  view.setUint32(16, width)
  view.setUint32(20, height)
  return bytes
}

function jpeg(width: number, height: number): Uint8Array {
  // SOI, an APP1 segment of 300 bytes (like EXIF), then SOF2 (progressive).
  const app1 = new Uint8Array(302)
  app1.set([0xff, 0xe1, 0x01, 0x2c])
  const sof = new Uint8Array([
    0xff,
    0xc2,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
  ])
  return new Uint8Array([0xff, 0xd8, ...app1, 0xff, ...sof])
}

function gif(width: number, height: number): Uint8Array {
  return new Uint8Array([
    0x47,
    0x49,
    0x46,
    0x38,
    0x39,
    0x61,
    width & 0xff,
    width >> 8,
    height & 0xff,
    height >> 8,
    0,
    0,
  ])
}

function webpVp8x(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(30)
  bytes.set(
    [...'RIFF'].map((c) => c.charCodeAt(0)),
    0,
  )
  bytes.set(
    [...'WEBPVP8X'].map((c) => c.charCodeAt(0)),
    8,
  )
  const w = width - 1
  const h = height - 1
  bytes.set(
    [w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff],
    24,
  )
  return bytes
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))

describe('readImageDimensions', () => {
  it.each([
    ['png', png(1024, 768)],
    ['jpeg', jpeg(1024, 768)],
    ['gif', gif(1024, 768)],
    ['webp', webpVp8x(1024, 768)],
  ])('%s from bytes, base64 and a data URL', (format, bytes) => {
    expect(readImageDimensions(bytes)).toEqual({ width: 1024, height: 768 })
    expect(readImageDimensions(toBase64(bytes))).toEqual({ width: 1024, height: 768 })
    expect(readImageDimensions(`data:image/${format};base64,${toBase64(bytes)}`)).toEqual({
      width: 1024,
      height: 768,
    })
  })

  it('finds a JPEG frame header at an unaligned base64 offset deep in the data', () => {
    const padded = new Uint8Array([...jpeg(333, 4444)])
    for (let shift = 0; shift < 3; shift++) {
      const withApp = new Uint8Array([
        0xff,
        0xd8,
        0xff,
        0xe0,
        0x00,
        2 + shift,
        ...new Array(shift).fill(0),
        ...padded.subarray(2),
      ])
      expect(readImageDimensions(toBase64(withApp))).toEqual({ width: 333, height: 4444 })
    }
  })

  it('returns undefined for unknown or truncated data', () => {
    expect(readImageDimensions(new Uint8Array([1, 2, 3]))).toBeUndefined()
    expect(readImageDimensions(png(10, 10).subarray(0, 18))).toBeUndefined()
    expect(readImageDimensions('data:text/plain,hello')).toBeUndefined()
    expect(readImageDimensions('not base64 at all!')).toBeUndefined()
    expect(readImageDimensions(jpeg(10, 10).subarray(0, 100))).toBeUndefined()
  })
})
