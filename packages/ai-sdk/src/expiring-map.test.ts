import { describe, expect, it } from 'vitest'
import { ExpiringMap } from './expiring-map'

describe('ExpiringMap', () => {
  it('forgets entries after their time to live', () => {
    let now = 0
    const map = new ExpiringMap<string, number>({ ttlMs: 100, maxEntries: 10, now: () => now })
    map.set('a', 1)
    now = 99
    expect(map.get('a')).toBe(1)
    now = 100
    expect(map.get('a')).toBeUndefined()
    expect(map.size).toBe(0)
  })

  it('keeps at most maxEntries, evicting the oldest write first', () => {
    const map = new ExpiringMap<string, number>({ ttlMs: 1000, maxEntries: 2 })
    map.set('a', 1)
    map.set('b', 2)
    map.set('a', 3)
    map.set('c', 4)
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([3, undefined, 4])
    expect(map.size).toBe(2)
  })

  it('take reads an entry once', () => {
    const map = new ExpiringMap<string, number>({ ttlMs: 1000, maxEntries: 2 })
    map.set('a', 1)
    expect(map.take('a')).toBe(1)
    expect(map.take('a')).toBeUndefined()
  })
})
