import { AgentBillValidationError } from '../errors/agent-bill-validation-error'
import {
  checkKnownKeys,
  checkOptionalBoolean,
  checkOptionalChoice,
  checkOptionalMetadata,
  checkOptionalUnits,
} from '../validate'
import { type Balance, type BalanceWire, type BudgetPeriod, toBalance } from './balance'
import type { ListParams } from './list'

/** A customer of the project: its budget settings and its balance now. */
export interface Customer {
  customerId: string
  /** The customer's base allowance; `null` means the project's `freeUnits`. */
  limitUnits: number | null
  unlimited: boolean
  period: BudgetPeriod
  metadata: Record<string, unknown>
  createdAt: string
  balance: Balance
}

/** Pagination and search of `bill.admin.customers.list`. */
export interface CustomerListParams extends ListParams {
  /** Only customers whose id contains this text (ASCII letters in either case). */
  search?: string
}

/** Changes to a customer's budget; the customer is created when it does not exist yet. */
export interface CustomerUpdateParams {
  /** The base allowance per period (replaces the project's free units for this customer). `null` reverts to them. */
  limitUnits?: number | null
  /** No budget at all: every preflight is approved, `remainingUnits` is `null`. */
  unlimited?: boolean
  /** When the base allowance renews. */
  period?: BudgetPeriod
  /** Your own data about the customer (JSON object, at most 4 KiB). */
  metadata?: Record<string, unknown>
}

/** A customer as the server sends it. */
export interface CustomerWire {
  customer_id: string
  limit_units: number | null
  unlimited: boolean
  period: BudgetPeriod
  metadata: Record<string, unknown> | null
  created_at: string
  balance: BalanceWire
}

/** Maps a wire customer. */
export function toCustomer(wire: CustomerWire): Customer {
  return {
    customerId: wire.customer_id,
    limitUnits: wire.limit_units ?? null,
    unlimited: wire.unlimited,
    period: wire.period,
    metadata: wire.metadata ?? {},
    createdAt: wire.created_at,
    balance: toBalance(wire.balance),
  }
}

/** Checks an update and builds the wire body. */
export function customerUpdateBody(params: CustomerUpdateParams): Record<string, unknown> {
  checkKnownKeys(params, ['limitUnits', 'unlimited', 'period', 'metadata'], 'customers.update')
  const body: Record<string, unknown> = {}
  if (params.limitUnits === null) body.limit_units = null
  else {
    const limitUnits = checkOptionalUnits('limitUnits', params.limitUnits)
    if (limitUnits !== undefined) body.limit_units = limitUnits
  }
  const unlimited = checkOptionalBoolean('unlimited', params.unlimited)
  if (unlimited !== undefined) body.unlimited = unlimited
  const period = checkOptionalChoice('period', params.period, [
    'none',
    'day',
    'week',
    'month',
  ] as const)
  if (period !== undefined) body.period = period
  const metadata = checkOptionalMetadata('metadata', params.metadata)
  if (metadata !== undefined) body.metadata = metadata
  if (Object.keys(body).length === 0) {
    throw new AgentBillValidationError(
      'params',
      'give at least one of limitUnits, unlimited, period, metadata',
    )
  }
  return body
}
