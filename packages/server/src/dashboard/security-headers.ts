/**
 * The Content-Security-Policy of every dashboard page: scripts, styles, images and fonts from
 * this server only, no inline script or style (not even a `style` attribute), no plugins, no
 * framing, forms may only post here. Charts are inline SVG, whose geometry attributes are not
 * styles, so they need no exception.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

/**
 * Headers every dashboard HTML response carries. `Referrer-Policy: same-origin` (not
 * `no-referrer`): with `no-referrer` browsers send `Origin: null` on form posts, and the CSRF
 * check compares the `Origin`.
 */
export const dashboardSecurityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  // Pages show balances and keys: never kept by a shared cache or the back-forward cache.
  'cache-control': 'no-store',
}

/** Sets the dashboard's security headers on `response` (its headers must be mutable). */
export function withSecurityHeaders(response: Response): Response {
  for (const [name, value] of Object.entries(dashboardSecurityHeaders)) {
    response.headers.set(name, value)
  }
  return response
}
