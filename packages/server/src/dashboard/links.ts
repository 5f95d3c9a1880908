/** Query values for a link; `undefined` and `''` are left out. */
export type LinkQuery = Record<string, string | number | undefined | null>

/** A same-origin link: `path` plus its query, every value encoded. */
export function href(path: string, query: LinkQuery = {}): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value))
  }
  const text = search.toString()
  return text === '' ? path : `${path}?${text}`
}

/**
 * Pages of one customer, agent or run take the id as a query parameter, not a path segment:
 * an id may be `..` or contain `/`, which URL parsers resolve or split in a path.
 */
export const customerHref = (customerId: string) => href('/customer', { id: customerId })
export const agentHref = (agentId: string) => href('/agent', { id: agentId })
export const runHref = (runId: string) => href('/run', { id: runId })
