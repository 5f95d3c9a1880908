import type { Decision, Event } from '../schemas/objects.js'

/** One model call of a run: its preflight (if any) and what was recorded for it. */
export interface RunCall {
  time: string
  agentId: string
  customerId: string
  decision: Decision | null
  events: Event[]
  /** Units recorded for this call. */
  recorded: number
  /** The run's recorded units before this call. */
  totalBefore: number
}

/**
 * Pairs a run's decisions with the records that settled their reservations, in time order,
 * with the run's running total: a preflight and its record are one call; a record without a
 * matching preflight (no reservation, or one outside the lists) is a call of its own.
 */
export function runCalls(decisions: readonly Decision[], events: readonly Event[]): RunCall[] {
  const byReservation = new Map<string, Event[]>()
  for (const event of events) {
    if (event.reservation_id === null) continue
    const list = byReservation.get(event.reservation_id) ?? []
    list.push(event)
    byReservation.set(event.reservation_id, list)
  }
  const calls: Omit<RunCall, 'totalBefore'>[] = []
  const matched = new Set<string>()
  for (const decision of decisions) {
    const settled =
      decision.reservation_id === null ? [] : (byReservation.get(decision.reservation_id) ?? [])
    for (const event of settled) matched.add(event.id)
    calls.push({
      time: decision.created_at,
      agentId: decision.agent_id,
      customerId: decision.customer_id,
      decision,
      events: settled,
      recorded: settled.reduce((sum, event) => sum + event.units, 0),
    })
  }
  for (const event of events) {
    if (matched.has(event.id)) continue
    calls.push({
      time: event.created_at,
      agentId: event.agent_id,
      customerId: event.customer_id,
      decision: null,
      events: [event],
      recorded: event.units,
    })
  }
  // Ids sort by creation time; ties in time keep a preflight before records made with it.
  const key = (call: Omit<RunCall, 'totalBefore'>) => call.decision?.id ?? call.events[0]?.id ?? ''
  calls.sort((left, right) =>
    left.time === right.time ? (key(left) < key(right) ? -1 : 1) : left.time < right.time ? -1 : 1,
  )
  let total = 0
  return calls.map((call) => {
    const totalBefore = total
    total += call.recorded
    return { ...call, totalBefore }
  })
}
