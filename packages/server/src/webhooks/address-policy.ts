import { isIPv4, isIPv6 } from 'node:net'

/**
 * Why an address is not a public internet address (and so not a webhook target unless private
 * targets are allowed): loopback, private networks, link-local, carrier-grade NAT, unique-local,
 * IPv4-mapped or -translated IPv6, cloud metadata services, and every range that is not
 * globally routable unicast (RFC 6890 and its IANA special-purpose registries).
 */
export type NonPublicReason =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'carrier-grade NAT'
  | 'unique-local'
  | 'IPv4-mapped IPv6'
  | 'IPv4-translated IPv6'
  | 'cloud metadata'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'

type Range4 = readonly [base: string, prefix: number, reason: NonPublicReason]

// Cloud metadata services on addresses that would otherwise pass: Azure's wire server and
// Alibaba's metadata service (in the CGNAT range, listed so the reason is the useful one).
// AWS, GCP, Azure IMDS, Oracle and DigitalOcean use 169.254.169.254 (link-local, below).
const METADATA_IPV4: ReadonlyMap<string, NonPublicReason> = new Map([
  ['169.254.169.254', 'cloud metadata'],
  ['169.254.170.2', 'cloud metadata'], // ECS task metadata
  ['168.63.129.16', 'cloud metadata'], // Azure wire server (a public address)
  ['100.100.100.200', 'cloud metadata'], // Alibaba Cloud
])

const IPV4_RANGES: readonly Range4[] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved'],
]

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((total, part) => total * 256 + Number(part), 0)
}

function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')
}

const ipv4Ranges = IPV4_RANGES.map(([base, prefix, reason]) => ({
  start: ipv4ToNumber(base),
  size: 2 ** (32 - prefix),
  reason,
}))

function classifyIpv4(address: string): NonPublicReason | undefined {
  const metadata = METADATA_IPV4.get(address)
  if (metadata !== undefined) return metadata
  const value = ipv4ToNumber(address)
  for (const range of ipv4Ranges) {
    if (value >= range.start && value < range.start + range.size) return range.reason
  }
  return undefined
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  let text = address
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted !== null) {
    const value = ipv4ToNumber(dotted[1] as string)
    text = `${text.slice(0, dotted.index)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16))
  const left = parse(head)
  const right = tail === undefined ? [] : parse(tail)
  const fill = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0)
  return [...left, ...fill, ...right]
}

function embeddedIpv4(high: number, low: number): string {
  return numberToIpv4(high * 65_536 + low)
}

function classifyIpv6(address: string): NonPublicReason | undefined {
  const groups = ipv6Groups(address)
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups
  const firstSixZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0
  if (firstSixZero && g6 === 0 && g7 === 0) return 'unspecified'
  if (firstSixZero && g6 === 0 && g7 === 1) return 'loopback'
  // ::ffff:a.b.c.d reaches the IPv4 address on a dual-stack socket; ::a.b.c.d (deprecated
  // IPv4-compatible) and ::ffff:0:a.b.c.d (SIIT) likewise: none is ever a public IPv6 target.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) {
    return 'IPv4-mapped IPv6'
  }
  if (firstSixZero) return 'IPv4-mapped IPv6'
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) {
    return 'IPv4-translated IPv6'
  }
  // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address through the network's translator:
  // allowed only when that address is public. The local-use prefix 64:ff9b:1::/48 never is.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    const inner = classifyIpv4(embeddedIpv4(g6, g7))
    return inner === undefined ? undefined : 'IPv4-translated IPv6'
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'IPv4-translated IPv6'
  // 6to4 (2002::/16) carries an IPv4 address in its next 32 bits.
  if (g0 === 0x2002) {
    const inner = classifyIpv4(embeddedIpv4(g1, g2))
    return inner === undefined ? undefined : 'IPv4-translated IPv6'
  }
  if (g0 === 0x2001 && g1 === 0) return 'IPv4-translated IPv6' // Teredo (obfuscated IPv4)
  if (g0 === 0x2001 && g1 === 0xdb8) return 'documentation'
  if (g0 === 0x3fff && g1 <= 0x0fff) return 'documentation' // 3fff::/20
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'reserved' // discard-only
  if (g0 === 0x2001 && g1 >= 0x10 && g1 <= 0x2f) return 'reserved' // ORCHID
  if ((g0 & 0xfe00) === 0xfc00) {
    // AWS's IPv6 instance metadata service lives in the unique-local range.
    return g0 === 0xfd00 && g1 === 0xec2 ? 'cloud metadata' : 'unique-local'
  }
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local'
  if ((g0 & 0xffc0) === 0xfec0) return 'private' // site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return 'multicast'
  // Only 2000::/3 is allocated as global unicast; everything else is reserved.
  if ((g0 & 0xe000) !== 0x2000) return 'reserved'
  return undefined
}

/**
 * Why `address` (an IP literal, IPv4 dotted or IPv6 without brackets or zone) is not a public
 * internet address, or `undefined` when it is. Anything that is not an IP literal, or carries
 * an IPv6 zone (`fe80::1%eth0`), is `'reserved'`.
 *
 * @example nonPublicReason('169.254.169.254') // 'cloud metadata'
 * @example nonPublicReason('2606:4700::1111') // undefined
 */
export function nonPublicReason(address: string): NonPublicReason | undefined {
  if (isIPv4(address)) return classifyIpv4(address)
  if (isIPv6(address) && !address.includes('%')) return classifyIpv6(address.toLowerCase())
  return 'reserved'
}
