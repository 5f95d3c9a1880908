import { z } from 'zod'
import { WEBHOOK_EVENT_TYPES } from '../webhooks/webhook-event-types.js'
import { timestamp } from './fields.js'

const count = (description: string) => z.number().int().min(0).meta({ description })
const nullableCount = (description: string) =>
  z.number().int().min(0).nullable().meta({ description })
const period = z.enum(['none', 'day', 'week', 'month'])

/** `{"error": {...}}`: every 4xx and 5xx. */
export const errorSchema = z.strictObject({
  error: z.strictObject({
    type: z.enum([
      'invalid_request',
      'authentication_failed',
      'permission_denied',
      'not_found',
      'conflict',
      'idempotency_conflict',
      'payload_too_large',
      'unsupported_media_type',
      'rate_limited',
      'internal',
      'unavailable',
    ]),
    message: z.string(),
    param: z.string().nullable().meta({ description: 'The field at fault (a.b for nested).' }),
  }),
})

/** A customer's ledger. */
export const balanceSchema = z.strictObject({
  customer_id: z.string(),
  granted_units: count('Base allowance (free units or limit) plus grants of the period.'),
  used_units: count('Recorded units in the current period.'),
  reserved_units: count('Units held by open reservations.'),
  remaining_units: nullableCount('max(0, granted − used − reserved); null when unlimited.'),
  overage_units: count('max(0, used − granted).'),
  unlimited: z.boolean(),
  period,
  period_start: timestamp('Start of the current period; null for period none.').nullable(),
  period_end: timestamp('End of the current period; null for period none.').nullable(),
})

export const customerSchema = z.strictObject({
  customer_id: z.string(),
  limit_units: nullableCount('Base allowance set for this customer (null: the free units).'),
  unlimited: z.boolean(),
  period,
  metadata: z.record(z.string(), z.unknown()),
  created_at: timestamp('When the customer was first seen.'),
  balance: balanceSchema,
})

export const reservationSchema = z.strictObject({
  id: z.string().meta({ description: 'rsv_…' }),
  status: z.enum(['open', 'settled', 'released', 'expired']),
  customer_id: z.string(),
  agent_id: z.string(),
  run_id: z.string().nullable(),
  units: count('Units held.'),
  expires_at: timestamp('When the hold lapses (server clock).'),
  created_at: timestamp('When the hold was made.'),
  closed_at: timestamp('When it was settled, released or expired.').nullable(),
})

export const eventSchema = z.strictObject({
  id: z.string().meta({ description: 'evt_…' }),
  customer_id: z.string(),
  agent_id: z.string(),
  run_id: z.string().nullable(),
  units: count('Units recorded.'),
  metadata: z.record(z.string(), z.unknown()),
  idempotency_key: z.string().nullable(),
  reservation_id: z.string().nullable(),
  created_at: timestamp('When it was recorded.'),
})

const estimateSource = z
  .enum(['request', 'history', 'default'])
  .meta({ description: 'request: the number sent; history: "auto" from records; default: 1.' })
const reason = z.enum(['budget_exhausted', 'ceiling_exceeded']).nullable()

export const decisionSchema = z.strictObject({
  id: z.string().meta({ description: 'dec_…' }),
  approved: z.boolean(),
  reason,
  customer_id: z.string(),
  agent_id: z.string(),
  run_id: z.string().nullable(),
  estimated_units: count('The estimate decided on.'),
  estimate_source: estimateSource,
  ceiling: nullableCount('The ceiling applied.'),
  remaining_units: nullableCount('As answered to the preflight.'),
  reservation_id: z.string().nullable(),
  created_at: timestamp('When it was decided.'),
})

export const grantSchema = z.strictObject({
  id: z.string().meta({ description: 'gnt_…' }),
  customer_id: z.string(),
  units: count('Units granted.'),
  reason: z.string().nullable(),
  created_at: timestamp('When it was granted.'),
})

export const apiKeySchema = z.strictObject({
  id: z.string().meta({ description: 'key_…' }),
  name: z.string(),
  scope: z.enum(['runtime', 'admin']),
  prefix: z.string().meta({ description: 'The first 8 characters of the key.' }),
  last4: z.string().meta({ description: 'The last 4 characters of the key.' }),
  created_at: timestamp('When it was made.'),
  revoked_at: timestamp('When it was revoked.').nullable(),
})

export const createdApiKeySchema = apiKeySchema.extend({
  key: z.string().meta({ description: 'The full key. Shown in this response only.' }),
})

export const projectSchema = z.strictObject({
  id: z.string().meta({ description: 'prj_…' }),
  name: z.string(),
  free_units: count('Units each new customer starts with.'),
  upgrade_url: z.string().nullable(),
  default_ttl_seconds: z.number().int().min(1),
  created_at: timestamp('When it was made.'),
})

export const preflightResponseSchema = z.strictObject({
  approved: z.boolean(),
  preflight_id: z.string().meta({ description: 'dec_…' }),
  remaining_units: nullableCount(
    'Left once this estimate is spent (approved) or left now (blocked); null when unlimited.',
  ),
  estimated_units: count('The estimate decided on.'),
  estimate_source: estimateSource,
  reservation_id: z.string().nullable(),
  expires_at: timestamp('When the reservation lapses.').nullable(),
  run_id: z.string().nullable(),
  reason,
  upgrade_url: z.string().nullable().meta({ description: 'Set on blocked answers.' }),
  ceiling: nullableCount("The ceiling applied (with run_id: the run's, fixed by its first)."),
  run_remaining_units: nullableCount(
    'What the run (or, without run_id, this call) may still use under the ceiling once this ' +
      'estimate is spent; null without a ceiling.',
  ),
})

export const recordResponseSchema = z.strictObject({
  recorded: z.literal(true),
  duplicate: z.boolean(),
  event_id: z.string(),
  units: count('Units recorded.'),
  remaining_units: nullableCount('Left after this event; null when unlimited.'),
  overage_units: count('Usage past the grant.'),
  reservation_status: z.enum(['settled', 'already_closed', 'not_found']).nullable(),
})

export const usageResponseSchema = z.strictObject({
  group_by: z.array(z.enum(['agent', 'customer', 'day'])),
  data: z.array(
    z.strictObject({
      day: z.string().optional(),
      agent_id: z.string().optional(),
      customer_id: z.string().optional(),
      units: count('Sum of units.'),
      events: count('Number of events.'),
    }),
  ),
})

export const decisionSummarySchema = z.strictObject({
  group_by: z.array(z.enum(['agent', 'customer', 'day', 'reason'])),
  data: z.array(
    z.strictObject({
      day: z.string().optional(),
      agent_id: z.string().optional(),
      customer_id: z.string().optional(),
      reason: reason.optional().meta({ description: 'null for approved decisions.' }),
      decisions: count('Number of decisions.'),
      estimated_units: count('Sum of their estimates.'),
    }),
  ),
})

export const runSchema = z.strictObject({
  run_id: z.string(),
  ceiling: nullableCount('Fixed by the first preflight of the run that named one.'),
  used_units: count('Units recorded for the run.'),
  reserved_units: count('Units held by open reservations of the run.'),
  remaining_units: nullableCount(
    'max(0, ceiling − used − reserved): what the run may still use; null without a ceiling.',
  ),
  created_at: timestamp('When the run was first seen.'),
})

export const registerResponseSchema = z.strictObject({
  project: projectSchema,
  key: z.string().meta({ description: "The project's first admin key. Shown once." }),
})

const webhookEvents = z
  .array(z.enum([...WEBHOOK_EVENT_TYPES, '*']))
  .meta({ description: 'Event types sent to the endpoint; `*` for all.' })

export const webhookEndpointSchema = z.strictObject({
  id: z.string().meta({ description: 'whe_…' }),
  url: z.string(),
  description: z.string().nullable(),
  events: webhookEvents,
  thresholds: z.array(z.number().int().min(1)).meta({
    description: "Percents of a customer's granted units that fire customer.budget.threshold.",
  }),
  created_at: timestamp('When it was made.'),
  deleted_at: timestamp('When it was deleted (nothing is sent after).').nullable(),
})

export const createdWebhookEndpointSchema = webhookEndpointSchema.extend({
  secret: z.string().meta({
    description:
      'The signing secret (whsec_…): deliveries carry AgentBill-Signature, an HMAC-SHA256 ' +
      'with it. Shown in this response only.',
  }),
})

export const webhookEventSchema = z.strictObject({
  id: z.string().meta({ description: 'whevt_…: the same on every attempt of one event.' }),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  created_at: timestamp('When the event happened.'),
  project_id: z.string(),
  data: z.record(z.string(), z.unknown()),
})

export const webhookAttemptSchema = z.strictObject({
  attempt: z.number().int().min(1),
  started_at: timestamp('When the attempt began (server clock).'),
  duration_ms: count('How long it took.'),
  response_status: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'The HTTP status answered; null when none came.' }),
  error: z.string().nullable().meta({ description: 'Why it failed; null when it succeeded.' }),
  succeeded: z.boolean(),
})

export const webhookDeliverySchema = z.strictObject({
  id: z.string().meta({ description: 'whdel_…' }),
  endpoint_id: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed', 'cancelled']).meta({
    description:
      'pending: waiting for an attempt (or its retry); succeeded: a 2xx came back; failed: ' +
      'every attempt failed; cancelled: the endpoint was deleted.',
  }),
  attempts: count('Attempts made so far.'),
  max_attempts: count('Attempts allowed (a resend adds one to a finished delivery).'),
  next_attempt_at: timestamp('When the next attempt is due.').nullable(),
  last_attempt_at: timestamp('When the last attempt began.').nullable(),
  last_response_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  created_at: timestamp('When the event was queued for this endpoint.'),
  completed_at: timestamp('When it succeeded, gave up or was cancelled.').nullable(),
  event: webhookEventSchema,
  attempt_log: z.array(webhookAttemptSchema),
})

/** A page of `item`. */
export function listSchema<Item extends z.ZodType>(item: Item) {
  return z.strictObject({
    object: z.literal('list'),
    data: z.array(item),
    has_more: z.boolean(),
  })
}

export const customerListSchema = listSchema(customerSchema)
export const eventListSchema = listSchema(eventSchema)
export const decisionListSchema = listSchema(decisionSchema)
export const apiKeyListSchema = listSchema(apiKeySchema)

export const webhookEndpointListSchema = listSchema(webhookEndpointSchema)
export const webhookDeliveryListSchema = listSchema(webhookDeliverySchema)

export const healthSchema = z.strictObject({ status: z.string() })

export type Balance = z.output<typeof balanceSchema>
export type Customer = z.output<typeof customerSchema>
export type Reservation = z.output<typeof reservationSchema>
export type Event = z.output<typeof eventSchema>
export type Decision = z.output<typeof decisionSchema>
export type Grant = z.output<typeof grantSchema>
export type ApiKey = z.output<typeof apiKeySchema>
export type CreatedApiKey = z.output<typeof createdApiKeySchema>
export type Project = z.output<typeof projectSchema>
export type PreflightResponse = z.output<typeof preflightResponseSchema>
export type RecordResponse = z.output<typeof recordResponseSchema>
export type UsageResponse = z.output<typeof usageResponseSchema>
export type RegisterResponse = z.output<typeof registerResponseSchema>
export type DecisionSummary = z.output<typeof decisionSummarySchema>
export type Run = z.output<typeof runSchema>
export type WebhookEndpoint = z.output<typeof webhookEndpointSchema>
export type CreatedWebhookEndpoint = z.output<typeof createdWebhookEndpointSchema>
export type WebhookDelivery = z.output<typeof webhookDeliverySchema>
export type WebhookEvent = z.output<typeof webhookEventSchema>
export type List<Item> = { object: 'list'; data: Item[]; has_more: boolean }
