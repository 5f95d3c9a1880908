import { createHash, timingSafeEqual } from 'node:crypto'
import { isLoopbackHost } from './read-config'

/** What an HTTP request must satisfy before it reaches MCP. */
export interface HttpGuardOptions {
  /** The address the server listens on. */
  bindHost: string
  /** Extra `Host` names accepted besides loopback ones. */
  allowedHosts: readonly string[]
  /** Extra `Origin` values accepted besides loopback ones. */
  allowedOrigins: readonly string[]
  /** The bearer token every request must carry, if any. */
  token: string | undefined
}

/** Why a request was refused: the status and a message for the caller. */
export interface Refusal {
  status: 401 | 403
  message: string
}

/**
 * DNS-rebinding protection and authentication, checked on every request:
 * - `Host`: when listening on loopback (or when `allowedHosts` is given), the name the request was
 *   sent to must be a loopback name or an allowed one. A page on `evil.example` that rebinds its
 *   name to 127.0.0.1 still sends `Host: evil.example` and is refused.
 * - `Origin`: when a browser sends one, it must be a loopback origin or an allowed one.
 * - `Authorization: Bearer <token>` when a token is set (compared in constant time).
 */
export function checkRequest(
  headers: {
    host?: string | undefined
    origin?: string | undefined
    authorization?: string | undefined
  },
  options: HttpGuardOptions,
): Refusal | undefined {
  const hostname = hostnameOf(headers.host)
  const checkHost = isLoopbackHost(options.bindHost) || options.allowedHosts.length > 0
  if (
    checkHost &&
    (hostname === undefined ||
      !(isLoopbackHost(hostname) || options.allowedHosts.includes(hostname)))
  ) {
    return { status: 403, message: `Host ${JSON.stringify(headers.host ?? '')} is not allowed` }
  }
  if (headers.origin !== undefined && !isAllowedOrigin(headers.origin, options.allowedOrigins)) {
    return { status: 403, message: `Origin ${JSON.stringify(headers.origin)} is not allowed` }
  }
  if (options.token !== undefined && !hasToken(headers.authorization, options.token)) {
    return { status: 401, message: 'Missing or wrong bearer token' }
  }
  return undefined
}

/** Whether a browser `Origin` may call the server. */
export function isAllowedOrigin(origin: string, allowedOrigins: readonly string[]): boolean {
  if (allowedOrigins.includes(origin)) return true
  try {
    const url = new URL(origin)
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname)
  } catch {
    // "null" (sandboxed frames, file://) and anything unparsable are refused.
    return false
  }
}

function hostnameOf(host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined
  try {
    return new URL(`http://${host}`).hostname
  } catch {
    return undefined
  }
}

function hasToken(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '')
  if (match?.[1] === undefined) return false
  // Equal-length digests make the comparison constant-time whatever the lengths.
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(match[1].trim()), digest(token))
}
