/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /**
   * Requests allowed per client address in each window.
   * @default 10
   */
  max?: number
  /**
   * Window length in seconds.
   * @default 60
   */
  windowSeconds?: number
}

/** A fixed-window counter per client address (in memory: one server process). */
export class RateLimiter {
  readonly #max: number
  readonly #windowMs: number
  #windows = new Map<string, { start: number; count: number }>()

  constructor(options: RateLimiterOptions = {}) {
    this.#max = options.max ?? 10
    this.#windowMs = (options.windowSeconds ?? 60) * 1000
  }

  /** Counts a request; returns the seconds to wait when it is over the limit, else 0. */
  take(address: string, now: number): number {
    if (this.#windows.size > 10_000) this.#prune(now)
    const window = this.#windows.get(address)
    if (window === undefined || now - window.start >= this.#windowMs) {
      this.#windows.set(address, { start: now, count: 1 })
      return 0
    }
    if (window.count >= this.#max) {
      return Math.max(1, Math.ceil((window.start + this.#windowMs - now) / 1000))
    }
    window.count++
    return 0
  }

  #prune(now: number): void {
    for (const [address, window] of this.#windows) {
      if (now - window.start >= this.#windowMs) this.#windows.delete(address)
    }
  }
}
