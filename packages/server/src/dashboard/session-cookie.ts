import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { SESSION_TOKEN_PREFIX } from '../http/authenticate.js'

/**
 * Cookie names. Over HTTPS they carry the `__Host-` prefix, which browsers only accept with
 * `Secure`, `Path=/` and no `Domain`: a sibling subdomain cannot plant or overwrite them.
 */
export function cookieNames(https: boolean): { session: string; csrf: string } {
  return https
    ? { session: '__Host-agentbill_session', csrf: '__Host-agentbill_csrf' }
    : { session: 'agentbill_session', csrf: 'agentbill_csrf' }
}

/** A new session token: `agbs_` + 256 random bits. Only its SHA-256 is stored. */
export function createSessionToken(): string {
  return `${SESSION_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
}

/** A random value for the signed-out forms' double-submit cookie. */
export function createFormToken(): string {
  return randomBytes(24).toString('base64url')
}

/**
 * The CSRF token of a session's forms, derived from its secret token: another site can
 * neither read the HttpOnly cookie nor compute this from anything it can see, and no state is
 * kept for it (any server instance derives the same).
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`agentbill-csrf\0${sessionToken}`).digest('base64url')
}

/** Compares two secrets in constant time (false when either is missing). */
export function sameSecret(expected: string | undefined, given: string | undefined): boolean {
  if (expected === undefined || given === undefined) return false
  const left = Buffer.from(expected)
  const right = Buffer.from(given)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** `Set-Cookie` attributes of the dashboard's cookies (HttpOnly, SameSite=Strict, Path=/). */
export function cookieAttributes(https: boolean, maxAgeSeconds: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    secure: https,
    maxAge: maxAgeSeconds,
  } as const
}
