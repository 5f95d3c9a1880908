import { describe, expect, it } from 'vitest'
import type { Decision, Event } from '../schemas/objects.js'
import { runCalls } from './run-calls.js'

const decision = (id: string, time: string, overrides: Partial<Decision> = {}): Decision => ({
  id,
  approved: true,
  reason: null,
  customer_id: 'c',
  agent_id: 'a',
  run_id: 'r',
  estimated_units: 10,
  estimate_source: 'request',
  ceiling: 30,
  remaining_units: 100,
  reservation_id: `rsv_${id}`,
  created_at: time,
  ...overrides,
})

const event = (id: string, time: string, units: number, reservation: string | null): Event => ({
  id,
  customer_id: 'c',
  agent_id: 'a',
  run_id: 'r',
  units,
  metadata: {},
  idempotency_key: null,
  reservation_id: reservation,
  created_at: time,
})

describe('runCalls', () => {
  it('pairs each preflight with its record and keeps a running total, in time order', () => {
    const calls = runCalls(
      [
        decision('dec_2', '2026-01-01T00:00:02.000Z'),
        decision('dec_1', '2026-01-01T00:00:01.000Z'),
        decision('dec_3', '2026-01-01T00:00:03.000Z', {
          approved: false,
          reason: 'ceiling_exceeded',
          reservation_id: null,
        }),
      ],
      [
        event('evt_2', '2026-01-01T00:00:02.500Z', 12, 'rsv_dec_2'),
        event('evt_1', '2026-01-01T00:00:01.500Z', 7, 'rsv_dec_1'),
        event('evt_x', '2026-01-01T00:00:04.000Z', 2, null),
      ],
    )
    expect(
      calls.map((call) => [call.decision?.id ?? null, call.recorded, call.totalBefore]),
    ).toEqual([
      ['dec_1', 7, 0],
      ['dec_2', 12, 7],
      ['dec_3', 0, 19],
      [null, 2, 19],
    ])
  })

  it('keeps a record whose reservation is not in the list as a call of its own', () => {
    const calls = runCalls([], [event('evt_1', '2026-01-01T00:00:01.000Z', 3, 'rsv_gone')])
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ decision: null, recorded: 3, totalBefore: 0 })
  })
})
