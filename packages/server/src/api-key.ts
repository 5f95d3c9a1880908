import { createHash, randomBytes } from 'node:crypto'

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** The pieces of a new API key: the secret (shown once), its hash, and what may be shown later. */
export interface GeneratedApiKey {
  /** The full secret, `agb_` + 32 base62 characters. Returned once, never stored. */
  key: string
  /** SHA-256 of the key, hex: what the store keeps. */
  hash: string
  /** The first 8 characters, e.g. `agb_AbCd`. */
  prefix: string
  /** The last 4 characters. */
  last4: string
}

/**
 * Makes a new API key with 32 base62 characters (~190 bits) of randomness. Keys are
 * high-entropy, so a fast hash (SHA-256) is the right way to keep them, not a password hash.
 */
export function generateApiKey(): GeneratedApiKey {
  let secret = ''
  while (secret.length < 32) {
    for (const byte of randomBytes(40)) {
      // 248 = 4 × 62: rejecting the top bytes keeps every character equally likely.
      if (byte < 248 && secret.length < 32) secret += base62[byte % 62]
    }
  }
  const key = `agb_${secret}`
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 8), last4: key.slice(-4) }
}

/** SHA-256 of a presented key, hex, to look it up. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}
