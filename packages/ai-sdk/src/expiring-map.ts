/** Options of {@link ExpiringMap}. */
export interface ExpiringMapOptions {
  /** How long an entry lives after it is set, in milliseconds. */
  ttlMs: number
  /** The most entries kept; setting one more evicts the oldest. */
  maxEntries: number
  /** The clock. @default Date.now */
  now?: () => number
}

/**
 * A small map whose entries expire and whose size is bounded, so state the middleware keeps
 * between model calls (tool-call ids of a running loop, failed attempts awaiting a retry) cannot
 * grow without limit in a long-lived server. Expired entries are dropped lazily; no timers, so it
 * runs the same on edge runtimes and never keeps a process alive.
 * @internal
 */
export class ExpiringMap<Key, Value> {
  readonly #entries = new Map<Key, { value: Value; expiresAt: number }>()
  readonly #ttlMs: number
  readonly #maxEntries: number
  readonly #now: () => number

  constructor(options: ExpiringMapOptions) {
    this.#ttlMs = options.ttlMs
    this.#maxEntries = options.maxEntries
    this.#now = options.now ?? Date.now
  }

  /** How many entries are kept, expired ones not yet dropped included. */
  get size(): number {
    return this.#entries.size
  }

  set(key: Key, value: Value): void {
    // Re-inserting moves the key to the end, so eviction order is the order of last writes.
    this.#entries.delete(key)
    this.#entries.set(key, { value, expiresAt: this.#now() + this.#ttlMs })
    this.#evict()
  }

  get(key: Key): Value | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.value
  }

  /** Reads and removes an entry. */
  take(key: Key): Value | undefined {
    const value = this.get(key)
    this.#entries.delete(key)
    return value
  }

  #evict(): void {
    const now = this.#now()
    for (const [key, entry] of this.#entries) {
      // Entries are in write order, so the oldest come first: stop at the first one that stays.
      if (this.#entries.size <= this.#maxEntries && entry.expiresAt > now) break
      this.#entries.delete(key)
    }
  }
}
