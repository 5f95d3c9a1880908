import { AgentBillValidationError } from './errors/agent-bill-validation-error'

/** The largest number of units the API accepts in one field. */
export const MAX_UNITS = 1_000_000_000_000_000
/** The largest serialized size of `metadata`, in bytes. */
export const MAX_METADATA_BYTES = 4096

// C0 and C1 control characters, DEL, and lone surrogates are not printable UTF-8.
const FORBIDDEN_CHARACTERS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Throws when `params` is not an object or has a key outside `allowed`: a misspelt or snake_case
 * option (`estimated_units`) must fail loudly rather than silently fall back to a default.
 */
export function checkKnownKeys(
  params: unknown,
  allowed: readonly string[],
  what: string,
): asserts params is Record<string, unknown> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new AgentBillValidationError(what, 'must be an object')
  }
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) {
      throw new AgentBillValidationError(
        key,
        `is not an option of ${what}; expected one of ${allowed.join(', ')}`,
      )
    }
  }
}

/** An identifier the caller chooses: 1–200 characters of printable UTF-8. */
export function checkIdentifier(param: string, value: unknown): string {
  if (typeof value !== 'string')
    throw new AgentBillValidationError(param, `must be a string, got ${describe(value)}`)
  const length = [...value].length
  if (length < 1 || length > 200) {
    throw new AgentBillValidationError(param, `must be 1 to 200 characters, got ${length}`)
  }
  if (FORBIDDEN_CHARACTERS.test(value)) {
    throw new AgentBillValidationError(param, 'must not contain control characters')
  }
  return value
}

/** Like {@link checkIdentifier}, but `undefined` passes through. */
export function checkOptionalIdentifier(param: string, value: unknown): string | undefined {
  return value === undefined ? undefined : checkIdentifier(param, value)
}

/** A whole number of units from 0 to 10^15. */
export function checkUnits(param: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_UNITS) {
    throw new AgentBillValidationError(
      param,
      `must be an integer from 0 to 10^15, got ${describe(value)}`,
    )
  }
  return value
}

/** Like {@link checkUnits}, but `undefined` passes through. */
export function checkOptionalUnits(param: string, value: unknown): number | undefined {
  return value === undefined ? undefined : checkUnits(param, value)
}

/** An integer within `[minimum, maximum]`, or `undefined`. */
export function checkOptionalIntegerInRange(
  param: string,
  value: unknown,
  minimum: number,
  maximum: number,
): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
    throw new AgentBillValidationError(
      param,
      `must be an integer from ${minimum} to ${maximum}, got ${describe(value)}`,
    )
  }
  return value
}

/** `true`, `false` or `undefined`. */
export function checkOptionalBoolean(param: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value
  throw new AgentBillValidationError(param, `must be a boolean, got ${describe(value)}`)
}

/** A plain JSON object of at most 4 KiB serialized, or `undefined`. */
export function checkOptionalMetadata(
  param: string,
  value: unknown,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AgentBillValidationError(param, `must be a JSON object, got ${describe(value)}`)
  }
  let serialized: string
  try {
    serialized = JSON.stringify(value)
  } catch (error) {
    throw new AgentBillValidationError(param, `must be serializable as JSON (${String(error)})`)
  }
  const bytes = new TextEncoder().encode(serialized).length
  if (bytes > MAX_METADATA_BYTES) {
    throw new AgentBillValidationError(
      param,
      `must be at most ${MAX_METADATA_BYTES} bytes as JSON, got ${bytes}`,
    )
  }
  return value as Record<string, unknown>
}

/** One of `choices`, or `undefined`. */
export function checkOptionalChoice<T extends string>(
  param: string,
  value: unknown,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T
  throw new AgentBillValidationError(
    param,
    `must be one of ${choices.join(', ')}, got ${describe(value)}`,
  )
}

/** A `Date` or an ISO 8601 string, sent as ISO 8601; `undefined` passes through. */
export function checkOptionalTime(param: string, value: unknown): string | undefined {
  if (value === undefined) return undefined
  const time =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'string'
        ? Date.parse(value)
        : Number.NaN
  if (Number.isNaN(time))
    throw new AgentBillValidationError(
      param,
      `must be a Date or an ISO 8601 string, got ${describe(value)}`,
    )
  return new Date(time).toISOString()
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === null ||
    value === undefined
  )
    return String(value)
  return Array.isArray(value) ? 'an array' : typeof value
}
