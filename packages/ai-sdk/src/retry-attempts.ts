import type { LanguageModelV4CallOptions } from '@ai-sdk/provider'
import { ExpiringMap } from './expiring-map'

/** Longer than the SDK ever waits before a retry (it honours `retry-after` up to 60 s). */
const ATTEMPT_TTL_MS = 2 * 60_000
const MAX_ATTEMPTS = 1_000

/** What a failed attempt hands to its retry so the retry's preflight repeats it exactly. */
export interface FailedAttempt {
  idempotencyKey: string
  /** The run id the attempt was given by default (a new run, or the linked tool loop's). */
  defaultRunId: string
}

/**
 * Recognises the AI SDK's own retries. The SDK retries a call that failed with a retryable error
 * (429, 5xx) by calling the wrapped model again, which re-enters the middleware with the same
 * parameters. A failed attempt is remembered under a fingerprint of its parameters; the next call
 * with the same fingerprint takes it over and preflights with the same idempotency key, so the
 * server answers with the first decision instead of making a second one. Empty on the happy path,
 * where fingerprints are never computed.
 * @internal
 */
export class RetryAttempts {
  readonly #failed = new ExpiringMap<string, FailedAttempt>({
    ttlMs: ATTEMPT_TTL_MS,
    maxEntries: MAX_ATTEMPTS,
  })

  /** Whether any failed attempt may still be retried (so a fingerprint is worth computing). */
  get waiting(): boolean {
    return this.#failed.size > 0
  }

  remember(fingerprint: string, attempt: FailedAttempt): void {
    this.#failed.set(fingerprint, attempt)
  }

  /** The failed attempt this call retries, if any; it can be taken over once. */
  take(fingerprint: string): FailedAttempt | undefined {
    return this.#failed.take(fingerprint)
  }
}

/**
 * A fingerprint of one model call: the model, everything sent to it except the abort signal, and
 * the run scope it runs in. Two different logical calls share one only when they send exactly the
 * same thing for the same customer — and then taking over the other's failed attempt is harmless:
 * that attempt recorded nothing.
 * @internal
 */
export function callFingerprint(
  modelId: string,
  params: LanguageModelV4CallOptions,
  scopeRunId: string | undefined,
): string {
  const { abortSignal: _abortSignal, ...sent } = params
  const text = JSON.stringify([modelId, scopeRunId ?? null, sent], (_key, value: unknown) => {
    if (value instanceof Uint8Array) return `bytes:${value.byteLength}:${hashBytes(value)}`
    if (value instanceof URL) return value.href
    return value
  })
  return `${text.length}:${hashString(text)}`
}

// cyrb53 (public domain): a fast 53-bit string hash, plenty to tell prompts apart in a small map.
function hashString(text: string): string {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    h1 = Math.imul(h1 ^ code, 2654435761)
    h2 = Math.imul(h2 ^ code, 1597334677)
  }
  return mix(h1, h2)
}

function hashBytes(bytes: Uint8Array): string {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (const byte of bytes) {
    h1 = Math.imul(h1 ^ byte, 2654435761)
    h2 = Math.imul(h2 ^ byte, 1597334677)
  }
  return mix(h1, h2)
}

function mix(first: number, second: number): string {
  let h1 = first
  let h2 = second
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507)
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507)
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)
}
