/** What code running inside `bill.run(...)` can read about the current run. */
export interface RunScope {
  /** The run's id: every preflight and record inside carries it, so one ceiling covers them all. */
  readonly runId: string
  /** The agent running. */
  readonly agentId: string
  /** The customer paying. */
  readonly customerId: string
  /** The most units the whole run may use, if it has a ceiling. */
  readonly ceiling: number | undefined
}

interface ContextStorage {
  run<R>(scope: RunScope, callback: () => R): R
  getStore(): RunScope | undefined
}

interface AsyncLocalStorageConstructor {
  new (): ContextStorage
}

// One storage per process, shared by every copy of this package (ESM and CJS builds, or two
// versions): adapters must find the run their caller opened, whichever copy they import.
const STORAGE_KEY = Symbol.for('agentbill.run-scope-storage')

function findAsyncLocalStorage(): AsyncLocalStorageConstructor | undefined {
  const global = globalThis as {
    AsyncLocalStorage?: AsyncLocalStorageConstructor
    process?: { getBuiltinModule?: (name: string) => unknown }
  }
  // Edge runtimes (Vercel, Cloudflare with nodejs_als) expose it as a global.
  if (typeof global.AsyncLocalStorage === 'function') return global.AsyncLocalStorage
  // Node 20.16+, Bun and Deno load built-ins at run time without a static `node:` import, which
  // would break bundles for browsers and edge runtimes.
  try {
    const asyncHooks = global.process?.getBuiltinModule?.('node:async_hooks') as
      | { AsyncLocalStorage?: AsyncLocalStorageConstructor }
      | undefined
    return asyncHooks?.AsyncLocalStorage
  } catch {
    return undefined
  }
}

function storage(): ContextStorage | null {
  const holder = globalThis as { [STORAGE_KEY]?: ContextStorage | null }
  if (holder[STORAGE_KEY] === undefined) {
    const AsyncLocalStorage = findAsyncLocalStorage()
    holder[STORAGE_KEY] = AsyncLocalStorage === undefined ? null : new AsyncLocalStorage()
  }
  return holder[STORAGE_KEY] ?? null
}

/**
 * Runs `callback` with `scope` as the current run, visible to {@link currentRun} in everything it
 * awaits. Where the runtime has no AsyncLocalStorage the callback still runs, and adapters fall
 * back to their own options.
 */
export function runInScope<R>(scope: RunScope, callback: () => R): R {
  const store = storage()
  return store === null ? callback() : store.run(scope, callback)
}

/**
 * The run opened by the nearest enclosing `bill.run(...)`, or `undefined` outside one (or where
 * the runtime has no AsyncLocalStorage).
 */
export function currentRun(): RunScope | undefined {
  return storage()?.getStore()
}

/** Whether this runtime can carry a run scope through `await` (AsyncLocalStorage). */
export function canScopeRuns(): boolean {
  return storage() !== null
}
