import type { z } from 'zod'
import { ApiError } from '../errors/api-error.js'

/** Where a value came from, to word the message. */
export type InputLocation = 'body' | 'query' | 'path' | 'header'

const nouns: Record<InputLocation, string> = {
  body: 'field',
  query: 'query parameter',
  path: 'path parameter',
  header: 'header',
}

/**
 * The first zod issue as a 400 `invalid_request` naming the field (`param`, dotted for nested
 * paths). Unknown fields are named too, so a camelCase `estimatedUnits` never passes silently.
 */
export function validationError(error: z.ZodError, location: InputLocation): ApiError {
  const issue = error.issues[0]
  if (issue === undefined) return new ApiError('invalid_request', 'Invalid request')
  const path = issue.path.map(String)
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys
    const param = [...path, keys[0] ?? ''].join('.')
    const plural = keys.length > 1 ? 's' : ''
    return new ApiError(
      'invalid_request',
      `Unknown ${nouns[location]}${plural}: ${keys.join(', ')}`,
      { param },
    )
  }
  if (path.length === 0) {
    const what = location === 'body' ? 'The request body' : `The ${location}`
    return new ApiError('invalid_request', `${what} must be a JSON object`)
  }
  const param = path.join('.')
  return new ApiError('invalid_request', `Invalid ${nouns[location]} ${param}: ${issue.message}`, {
    param,
  })
}
