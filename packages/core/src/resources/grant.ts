import { AgentBillValidationError } from '../errors/agent-bill-validation-error'
import { checkKnownKeys, checkOptionalIdentifier, checkUnits } from '../validate'

/** Units added to a customer's budget (a top-up). */
export interface Grant {
  /** `gnt_…` */
  id: string
  customerId: string
  units: number
  reason: string | null
  createdAt: string
}

/** Arguments of `bill.admin.grants.create`. */
export interface GrantCreateParams {
  /** Units to add (an integer from 0 to 10^15). */
  units: number
  /** Why, for the record ("purchase pi_123"). At most 500 characters. */
  reason?: string
  /**
   * Makes a retried top-up (a payment webhook delivered twice) grant once.
   * @default a new random key per call
   */
  idempotencyKey?: string
}

/** A grant as the server sends it. */
export interface GrantWire {
  id: string
  customer_id: string
  units: number
  reason: string | null
  created_at: string
}

/** Maps a wire grant. */
export function toGrant(wire: GrantWire): Grant {
  return {
    id: wire.id,
    customerId: wire.customer_id,
    units: wire.units,
    reason: wire.reason ?? null,
    createdAt: wire.created_at,
  }
}

/** Checks a grant and builds the wire body. */
export function grantCreateBody(
  params: GrantCreateParams,
  idempotencyKey: string,
): Record<string, unknown> {
  checkKnownKeys(params, ['units', 'reason', 'idempotencyKey'], 'grants.create')
  const body: Record<string, unknown> = {
    units: checkUnits('units', params.units),
    idempotency_key:
      checkOptionalIdentifier('idempotencyKey', params.idempotencyKey) ?? idempotencyKey,
  }
  if (params.reason !== undefined) {
    if (typeof params.reason !== 'string' || params.reason.length > 500) {
      throw new AgentBillValidationError('reason', 'must be a string of at most 500 characters')
    }
    body.reason = params.reason
  }
  return body
}
