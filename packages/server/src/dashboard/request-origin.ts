/** Reads a request header by lower-case name. */
export type HeaderGetter = (name: string) => string | undefined

/**
 * The origin the browser sees for this request: the scheme from `X-Forwarded-Proto` (set by a
 * TLS-terminating proxy) or the request URL, and the `Host` header. A client can only change it
 * for its own requests, so it is safe to use for cookie flags and the same-origin check.
 */
export function publicOrigin(url: URL, header: HeaderGetter): string {
  const forwarded = header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase()
  const scheme =
    forwarded === 'https' || forwarded === 'http' ? forwarded : url.protocol.slice(0, -1)
  const host = header('host') ?? url.host
  return `${scheme}://${host}`
}

/** True when the browser reached the dashboard over HTTPS (cookies then get `Secure`). */
export function isHttps(origin: string): boolean {
  return origin.startsWith('https://')
}
