/** A budget period; `none` never renews. Periods start at UTC boundaries. */
export type BudgetPeriod = 'none' | 'day' | 'week' | 'month'

/** A customer's ledger right now. */
export interface Balance {
  customerId: string
  /** The base allowance (free units or the customer's limit) plus grants, for this period. */
  grantedUnits: number
  /** Units recorded in the current period. */
  usedUnits: number
  /** Units held by open reservations. */
  reservedUnits: number
  /** `max(0, granted − used − reserved)`; `null` when unlimited. */
  remainingUnits: number | null
  /** `max(0, used − granted)`. */
  overageUnits: number
  unlimited: boolean
  period: BudgetPeriod
  /** The current period's start (ISO 8601), `null` when `period` is `none`. */
  periodStart: string | null
  /** The current period's end (ISO 8601), `null` when `period` is `none`. */
  periodEnd: string | null
}

/** A balance as the server sends it. */
export interface BalanceWire {
  customer_id: string
  granted_units: number
  used_units: number
  reserved_units: number
  remaining_units: number | null
  overage_units: number
  unlimited: boolean
  period: BudgetPeriod
  period_start: string | null
  period_end: string | null
}

/** Maps a wire balance. */
export function toBalance(wire: BalanceWire): Balance {
  return {
    customerId: wire.customer_id,
    grantedUnits: wire.granted_units,
    usedUnits: wire.used_units,
    reservedUnits: wire.reserved_units,
    remainingUnits: wire.remaining_units ?? null,
    overageUnits: wire.overage_units,
    unlimited: wire.unlimited,
    period: wire.period,
    periodStart: wire.period_start ?? null,
    periodEnd: wire.period_end ?? null,
  }
}
