import { randomBytes } from 'node:crypto'

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** Prefixes of the ids the server makes (`api.md`: "Ids the server makes carry a prefix"). */
export type IdPrefix =
  | 'evt'
  | 'rsv'
  | 'dec'
  | 'key'
  | 'prj'
  | 'gnt'
  | 'req'
  // Webhook endpoints, the events they are sent, and one delivery of an event to an endpoint.
  | 'whe'
  | 'whevt'
  | 'whdel'

function encodeTime(time: number): string {
  let timePart = ''
  let remaining = time
  for (let index = 0; index < 10; index++) {
    timePart = crockford[remaining % 32] + timePart
    remaining = Math.floor(remaining / 32)
  }
  return timePart
}

let lastTime = -1
const lastRandom = new Uint8Array(16)

/**
 * A new id that sorts by creation time: `<prefix>_` + a ULID (48-bit milliseconds, then 80
 * random bits as 16 base32 characters). Ids made in the same millisecond by this process
 * increase monotonically, so cursors over "newest first" lists never skip an item.
 *
 * @example createId('evt') // 'evt_01JD…'
 */
export function createId(prefix: IdPrefix, now: number = Date.now()): string {
  const time = Math.max(now, lastTime)
  if (time === lastTime) {
    // Same millisecond: increment the random part (base32 digits, carry to the left).
    for (let index = 15; index >= 0; index--) {
      const digit = lastRandom[index] ?? 0
      if (digit < 31) {
        lastRandom[index] = digit + 1
        break
      }
      lastRandom[index] = 0
    }
  } else {
    lastTime = time
    const bytes = randomBytes(16)
    for (let index = 0; index < 16; index++) lastRandom[index] = (bytes[index] ?? 0) & 31
    // Leave room to increment within the millisecond without overflowing the first digit.
    lastRandom[0] = (lastRandom[0] ?? 0) & 15
  }
  const timePart = encodeTime(time)
  let randomPart = ''
  for (let index = 0; index < 16; index++) randomPart += crockford[lastRandom[index] ?? 0]
  return `${prefix}_${timePart}${randomPart}`
}

/**
 * A string no greater than any id made with `prefix` for a time at or after `time`. An id's
 * time part is never earlier than the time it was made for (it only moves forward), so
 * `id >= idLowerBound(prefix, since)` keeps every row with `created_at >= since`: a filter on
 * the primary key that lets a store skip older rows (the dashboard's "last 14 days").
 */
export function idLowerBound(prefix: IdPrefix, time: number): string {
  return `${prefix}_${encodeTime(Math.max(0, time))}`
}
