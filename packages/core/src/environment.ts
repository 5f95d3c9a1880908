/**
 * Reads an environment variable in any runtime: Node, Bun and Deno (with env access) expose
 * `process.env`; edge runtimes usually have none, and then this answers `undefined`.
 * This is the only place the package reads the environment.
 */
export function readEnvironment(name: string): string | undefined {
  const process = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
  try {
    const value = process?.env?.[name]
    return value === undefined || value.trim() === '' ? undefined : value.trim()
  } catch {
    // Deno without --allow-env throws on access: treat it as unset.
    return undefined
  }
}
