import type { HeaderGetter } from './request-origin.js'

/**
 * Whether a state-changing request comes from a page of this origin. Browsers send
 * `Sec-Fetch-Site` (which must then be `same-origin`) and `Origin` on form posts (which must then
 * be this origin); a request with neither (an old browser, curl) passes here and still needs
 * the form's CSRF token. A same-site page on another port (`same-site`) is refused too.
 */
export function isSameOriginRequest(origin: string, header: HeaderGetter): boolean {
  const fetchSite = header('sec-fetch-site')
  if (fetchSite !== undefined && fetchSite !== 'same-origin') return false
  const requestOrigin = header('origin')
  if (requestOrigin !== undefined && requestOrigin !== origin) return false
  return true
}
