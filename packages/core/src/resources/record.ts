import {
  checkIdentifier,
  checkKnownKeys,
  checkOptionalIdentifier,
  checkOptionalMetadata,
  checkOptionalUnits,
} from '../validate'

/** Arguments of `bill.record`. */
export interface RecordParams {
  /** The agent that ran (1–200 printable characters). */
  agentId: string
  /**
   * The customer who pays.
   * @default the client's `defaultCustomerId` ('default')
   */
  customerId?: string
  /**
   * Units actually used. `0` is recorded as zero.
   * @default 1
   */
  units?: number
  /** Anything worth keeping with the event (model, tokens): a JSON object of at most 4 KiB. */
  metadata?: Record<string, unknown>
  /**
   * The same key always means the same event: a repeat returns the first event and counts nothing
   * twice. Derive it from your own workflow's step id to make retried workflows safe.
   * @default a new random key per call (the same on every retry and redelivery of the call)
   */
  idempotencyKey?: string
  /** The hold this usage settles (its whole hold is released, `units` are charged). */
  reservationId?: string
  /** The run this usage belongs to. */
  runId?: string
}

const RECORD_KEYS = [
  'agentId',
  'customerId',
  'units',
  'metadata',
  'idempotencyKey',
  'reservationId',
  'runId',
] as const

/** What happened to the reservation a record named. */
export type ReservationSettlement = 'settled' | 'already_closed' | 'not_found'

/** The server accepted the event (new, or a replay of the same key). */
export interface RecordAccepted {
  recorded: true
  /** `false`: the server has the event, it was not left waiting in the client's queue. */
  queued: false
  /** `true` when the idempotency key was seen before: the original event is returned. */
  duplicate: boolean
  /** The event's id (`evt_…`). */
  eventId: string
  /** The units charged. */
  units: number
  /** What the customer has left; `null` when unlimited. */
  remainingUnits: number | null
  /** How far the customer's usage is past its grant. */
  overageUnits: number
  /** What happened to `reservationId`; `null` when none was given. */
  reservationStatus: ReservationSettlement | null
  /** The idempotency key the event was sent with. */
  idempotencyKey: string
}

/**
 * The server could not be reached after the retries: the event waits in this process's queue and
 * is re-sent (same idempotency key) until the server accepts it. `await bill.flush()` waits for it.
 */
export interface RecordQueued {
  recorded: false
  queued: true
  duplicate: false
  eventId: null
  units: number
  remainingUnits: null
  overageUnits: null
  reservationStatus: null
  idempotencyKey: string
}

/** The answer of `bill.record`; `queued` tells whether the server already has it. */
export type RecordResult = RecordAccepted | RecordQueued

/** `RecordParams` checked, with defaults filled in. */
export interface PreparedRecord {
  body: Record<string, unknown>
  units: number
  idempotencyKey: string
}

/** Checks `params` and builds the wire body. */
export function prepareRecord(
  params: RecordParams,
  defaults: { customerId: string; idempotencyKey: string },
): PreparedRecord {
  checkKnownKeys(params, RECORD_KEYS, 'record')
  const agentId = checkIdentifier('agentId', params.agentId)
  const customerId = checkOptionalIdentifier('customerId', params.customerId) ?? defaults.customerId
  const units = checkOptionalUnits('units', params.units) ?? 1
  const metadata = checkOptionalMetadata('metadata', params.metadata)
  const idempotencyKey =
    checkOptionalIdentifier('idempotencyKey', params.idempotencyKey) ?? defaults.idempotencyKey
  const reservationId = checkOptionalIdentifier('reservationId', params.reservationId)
  const runId = checkOptionalIdentifier('runId', params.runId)
  const body: Record<string, unknown> = {
    agent_id: agentId,
    customer_id: customerId,
    units,
    idempotency_key: idempotencyKey,
  }
  if (metadata !== undefined) body.metadata = metadata
  if (reservationId !== undefined) body.reservation_id = reservationId
  if (runId !== undefined) body.run_id = runId
  return { body, units, idempotencyKey }
}

/** The record answer as the server sends it. */
export interface RecordWire {
  recorded: boolean
  duplicate: boolean
  event_id: string
  units: number
  remaining_units: number | null
  overage_units: number
  reservation_status?: ReservationSettlement | null
}

/** Maps the server's answer to a {@link RecordAccepted}. */
export function toRecordAccepted(wire: RecordWire, idempotencyKey: string): RecordAccepted {
  return {
    recorded: true,
    queued: false,
    duplicate: wire.duplicate,
    eventId: wire.event_id,
    units: wire.units,
    remainingUnits: wire.remaining_units ?? null,
    overageUnits: wire.overage_units,
    reservationStatus: wire.reservation_status ?? null,
    idempotencyKey,
  }
}

/** The answer for a record left in the client's queue. */
export function toRecordQueued(prepared: PreparedRecord): RecordQueued {
  return {
    recorded: false,
    queued: true,
    duplicate: false,
    eventId: null,
    units: prepared.units,
    remainingUnits: null,
    overageUnits: null,
    reservationStatus: null,
    idempotencyKey: prepared.idempotencyKey,
  }
}
