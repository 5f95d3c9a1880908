import { z } from 'zod'

/** The largest number of units the AgentBill API accepts in one field (10^15). */
export const MAX_UNITS = 1_000_000_000_000_000

/**
 * An identifier the caller chooses (agent, customer, run, idempotency key): 1–200 printable
 * characters. The schema advertises the bounds; the `agentbill` client enforces them exactly
 * (it counts code points and refuses control characters) with a message naming the field.
 */
export function identifier(description: string) {
  return z
    .string({ error: stringError })
    .min(1, { error: 'must not be empty' })
    .meta({ maxLength: 200 })
    .describe(description)
}

/** A missing required field says so, rather than "must be a string". */
function stringError(issue: { input: unknown }): string {
  return issue.input === undefined ? 'is required' : 'must be a string'
}

/**
 * A non-empty string in a result. Nullable fields are built on it because zod writes a plain
 * `z.string().nullable()` as `"type": ["string", "null"]`, which hosts that map schemas onto a
 * single-`type` dialect (Gemini's OpenAPI subset) reject; with `minLength` it becomes an `anyOf`.
 */
export function text() {
  return z.string().min(1)
}

/** A count in a result (units, never negative). */
export function count() {
  return z.int().min(0)
}

/** A whole number of units, 0 to 10^15. `0` is a value. */
export function units(description?: string) {
  const schema = z
    .int({ error: 'must be a whole number of units (an integer from 0 to 10^15)' })
    .min(0, { error: 'must not be negative' })
    .max(MAX_UNITS, { error: 'must be at most 10^15' })
  return description === undefined ? schema : schema.describe(description)
}

/** A server-made id such as `rsv_…` (the server answers `not_found` for an unknown one). */
export function serverId(description: string) {
  return z
    .string({ error: stringError })
    .min(1, { error: 'must not be empty' })
    .describe(description)
}

/**
 * A strict input object (an unknown field such as a camelCase `estimatedUnits` is refused by
 * name, never silently ignored) that starts with `agent_id`: required when the server has no
 * default agent, optional when it has one.
 */
export function withAgentId<Shape extends z.ZodRawShape>(
  shape: Shape,
  defaultAgentId: string | undefined,
) {
  const description = 'The agent that runs (or ran) the work, as your project names it.'
  return defaultAgentId === undefined
    ? z.strictObject({ agent_id: identifier(description), ...shape })
    : z.strictObject({
        agent_id: identifier(`${description} Defaults to "${defaultAgentId}".`).optional(),
        ...shape,
      })
}

/** The customer field, with the server's default in its description. */
export function customerId(defaultCustomerId: string) {
  return identifier(
    `The customer who pays (1–200 characters). Defaults to "${defaultCustomerId}". A customer not seen before starts with the project's free grant.`,
  ).optional()
}

/** The server's defaults, which some input schemas describe. */
export interface SchemaDefaults {
  defaultAgentId: string | undefined
  defaultCustomerId: string
}

/**
 * Builds a schema once per set of defaults. Zod schemas are immutable and cost more to build
 * than the rest of a server, and stateless HTTP builds a server for every request.
 */
export function oncePerDefaults<Schema>(
  build: (defaults: SchemaDefaults) => Schema,
): (defaults: SchemaDefaults) => Schema {
  const cache = new Map<string, Schema>()
  return (defaults) => {
    const key = JSON.stringify([defaults.defaultAgentId ?? null, defaults.defaultCustomerId])
    let schema = cache.get(key)
    if (schema === undefined) {
      // A process serves one or a few configurations; the bound only guards against misuse.
      if (cache.size >= 32) cache.clear()
      schema = build(defaults)
      cache.set(key, schema)
    }
    return schema
  }
}
