/** A run: every preflight and record that carried one `run_id`, under one ceiling. */
export interface Run {
  runId: string
  /** Fixed by the first preflight of the run that named one; `null` without. */
  ceiling: number | null
  /** Units recorded for the run. */
  usedUnits: number
  /** Units held by the run's open reservations. */
  reservedUnits: number
  /** What the run may still use under its ceiling; `null` without a ceiling. */
  remainingUnits: number | null
  /** When the run was first seen. */
  createdAt: string
}

/** A run as the server sends it. */
export interface RunWire {
  run_id: string
  ceiling: number | null
  used_units: number
  reserved_units: number
  remaining_units: number | null
  created_at: string
}

/** Maps a wire run. */
export function toRun(wire: RunWire): Run {
  return {
    runId: wire.run_id,
    ceiling: wire.ceiling ?? null,
    usedUnits: wire.used_units,
    reservedUnits: wire.reserved_units,
    remainingUnits: wire.remaining_units ?? null,
    createdAt: wire.created_at,
  }
}
