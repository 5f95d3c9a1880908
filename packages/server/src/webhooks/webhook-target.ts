import { promises as dns } from 'node:dns'
import { isIP } from 'node:net'
import { type NonPublicReason, nonPublicReason } from './address-policy.js'

/** One address a name resolves to. */
export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

/** Resolves a host name to all its addresses (the default is the system resolver). */
export type WebhookLookup = (hostname: string) => Promise<ResolvedAddress[]>

/** Where webhooks may be sent. */
export interface WebhookTargetPolicy {
  /**
   * Allow loopback, private, link-local, carrier-grade NAT and unique-local addresses (for
   * self-hosted networks). Cloud metadata, unspecified, multicast and broadcast addresses stay
   * refused either way.
   * @default false
   */
  allowPrivateTargets: boolean
  /** Resolves host names. @default the system resolver (`dns.lookup`, all addresses) */
  lookup: WebhookLookup
  /**
   * How long a name may take to resolve, in ms.
   * @default 5000
   */
  lookupTimeoutMs: number
}

/** Why a webhook URL or its target was refused; the message is fit for an API answer. */
export class WebhookTargetError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WebhookTargetError'
  }
}

/** The longest webhook URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2000

// Refused whatever the option says: nothing legitimate listens there for a webhook.
const ALWAYS_REFUSED: ReadonlySet<NonPublicReason> = new Set([
  'unspecified',
  'cloud metadata',
  'multicast',
  'broadcast',
])

/** The system resolver: every address of the name, in the order the system gives them. */
export const systemLookup: WebhookLookup = async (hostname) =>
  (await dns.lookup(hostname, { all: true, verbatim: true })).map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }))

/**
 * Parses a webhook URL: `http:` or `https:`, a host, no user name or password, at most
 * {@link MAX_WEBHOOK_URL_LENGTH} characters. IPv4 literals come back normalised by the URL
 * parser (`http://2130706433/` is `127.0.0.1`), so the address checks see the real address.
 *
 * @throws {WebhookTargetError}
 */
export function parseWebhookUrl(text: string): URL {
  if (text.length > MAX_WEBHOOK_URL_LENGTH) {
    throw new WebhookTargetError(`must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`)
  }
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new WebhookTargetError('must be an absolute http(s) URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new WebhookTargetError('must be an http or https URL')
  }
  if (url.username !== '' || url.password !== '') {
    throw new WebhookTargetError('must not carry a user name or password')
  }
  if (url.hostname === '') throw new WebhookTargetError('must name a host')
  return url
}

/** The host of a URL without IPv6 brackets (and without a trailing dot). */
export function urlHost(url: URL): string {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  return host.endsWith('.') ? host.slice(0, -1) : host
}

function checkAddress(address: string, policy: WebhookTargetPolicy, host: string): void {
  const reason = nonPublicReason(address)
  if (reason === undefined) return
  if (policy.allowPrivateTargets && !ALWAYS_REFUSED.has(reason)) return
  const shown = host === address ? address : `${host} (${address})`
  throw new WebhookTargetError(
    ALWAYS_REFUSED.has(reason)
      ? `must not point to a ${reason} address: ${shown}`
      : `must point to a public address, not a ${reason} one: ${shown} ` +
          '(a server started with allowPrivateWebhookTargets accepts private targets)',
  )
}

async function lookupWithTimeout(
  host: string,
  policy: WebhookTargetPolicy,
): Promise<ResolvedAddress[]> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new WebhookTargetError(`${host} did not resolve within ${policy.lookupTimeoutMs} ms`),
        ),
      policy.lookupTimeoutMs,
    )
  })
  try {
    return await Promise.race([policy.lookup(host), timeout])
  } catch (error) {
    if (error instanceof WebhookTargetError) throw error
    const code = (error as { code?: unknown }).code
    throw new WebhookTargetError(
      `${host} does not resolve${typeof code === 'string' ? ` (${code})` : ''}`,
    )
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The address to connect to for `url`, checked against the policy: an IP literal as is, a name
 * resolved now, and refused if ANY of its addresses is not allowed (a name that resolves to a
 * public and a private address could otherwise be steered to the private one). The caller must
 * connect to exactly this address (not resolve the name again), so a DNS answer that changes
 * between the check and the connection (rebinding) cannot reach a refused address.
 *
 * @throws {WebhookTargetError}
 */
export async function resolveWebhookTarget(
  url: URL,
  policy: WebhookTargetPolicy,
): Promise<ResolvedAddress> {
  const host = urlHost(url)
  const literal = isIP(host)
  if (literal !== 0) {
    checkAddress(host, policy, host)
    return { address: host, family: literal === 6 ? 6 : 4 }
  }
  // RFC 6761: these names are loopback whatever a resolver says.
  const lower = host.toLowerCase()
  if (!policy.allowPrivateTargets && (lower === 'localhost' || lower.endsWith('.localhost'))) {
    throw new WebhookTargetError(
      `must point to a public address, not a loopback one: ${host} ` +
        '(a server started with allowPrivateWebhookTargets accepts private targets)',
    )
  }
  const addresses = await lookupWithTimeout(host, policy)
  if (addresses.length === 0) throw new WebhookTargetError(`${host} does not resolve`)
  for (const entry of addresses) checkAddress(entry.address, policy, host)
  return addresses[0] as ResolvedAddress
}
