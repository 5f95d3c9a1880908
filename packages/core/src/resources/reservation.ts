/** The state of a hold. */
export type ReservationStatus = 'open' | 'settled' | 'released' | 'expired'

/** A hold on a customer's units, made by a reserving preflight. */
export interface Reservation {
  /** `rsv_…` */
  id: string
  status: ReservationStatus
  customerId: string
  agentId: string
  runId: string | null
  /** The units held. */
  units: number
  /** When an open hold lapses (ISO 8601). */
  expiresAt: string
  createdAt: string
  /** When it was settled, released or expired; `null` while open. */
  closedAt: string | null
}

/** A reservation as the server sends it. */
export interface ReservationWire {
  id: string
  status: ReservationStatus
  customer_id: string
  agent_id: string
  run_id: string | null
  units: number
  expires_at: string
  created_at: string
  closed_at: string | null
}

/** Maps a wire reservation. */
export function toReservation(wire: ReservationWire): Reservation {
  return {
    id: wire.id,
    status: wire.status,
    customerId: wire.customer_id,
    agentId: wire.agent_id,
    runId: wire.run_id ?? null,
    units: wire.units,
    expiresAt: wire.expires_at,
    createdAt: wire.created_at,
    closedAt: wire.closed_at ?? null,
  }
}
