import { z } from 'zod'
import { MAX_BUDGET_THRESHOLD, WEBHOOK_EVENT_TYPES } from '../webhooks/webhook-event-types.js'
import { parseWebhookUrl, WebhookTargetError } from '../webhooks/webhook-target.js'
import {
  fieldError,
  identifier,
  limitQuery,
  metadata,
  positiveUnits,
  printable,
  serverId,
  timeQuery,
  units,
} from './fields.js'

const ttlError = fieldError('must be an integer from 1 to 86400')
const ttlSeconds = (description: string) =>
  z
    .number({ error: ttlError })
    .int({ error: ttlError })
    .min(1, { error: ttlError })
    .max(86_400, { error: ttlError })
    .meta({ description })

const booleanField = (description: string) =>
  z.boolean({ error: fieldError('must be true or false') }).meta({ description })

const periodField = z
  .enum(['none', 'day', 'week', 'month'], {
    error: fieldError('must be one of none, day, week, month'),
  })
  .meta({ description: 'Budget period; `used` resets at each UTC boundary.' })

const estimateMessage =
  'must be a non-negative integer no greater than 10^15, or "auto" to estimate from history'

/** `POST /v1/preflight`. */
export const preflightRequestSchema = z.strictObject({
  agent_id: identifier('The agent about to run.'),
  customer_id: identifier('Whose budget pays. Default "default".').optional(),
  estimated_units: z
    .union([units('Units the run is expected to use.'), z.literal('auto')], {
      error: fieldError(estimateMessage),
    })
    .meta({
      description:
        'Units expected (default 1), or "auto": the 90th percentile of this agent\'s last 50 records.',
    })
    .optional(),
  ceiling: units('Most units the run may use (with run_id: the whole run).').optional(),
  run_id: identifier('Groups preflights and records into one run.').optional(),
  reserve: booleanField('Hold the estimate until a record settles it. Default false.').optional(),
  ttl_seconds: ttlSeconds(
    "How long a reservation holds, 1–86400. Default the project's default_ttl_seconds (900).",
  ).optional(),
  idempotency_key: identifier('Returns the first decision again for a repeated key.').optional(),
})

/** `POST /v1/record`. */
export const recordRequestSchema = z.strictObject({
  agent_id: identifier('The agent that ran.'),
  customer_id: identifier('Whose budget pays. Default "default".').optional(),
  units: units('Units actually used. Default 1.').optional(),
  metadata: metadata('Free-form JSON object, at most 4 KiB.').optional(),
  idempotency_key: identifier('Counts this usage once, however often it is sent.').optional(),
  reservation_id: serverId('Settles this reservation.').optional(),
  run_id: identifier('The run this usage belongs to.').optional(),
})

/** `PATCH /v1/customers/{customer_id}`. */
export const customerUpdateSchema = z.strictObject({
  limit_units: units('Base allowance replacing the free units; null to go back to them.')
    .nullable()
    .optional(),
  unlimited: booleanField('No budget limit (remaining is null).').optional(),
  period: periodField.optional(),
  metadata: metadata('Free-form JSON object, at most 4 KiB; replaces the previous one.').optional(),
})

/** `POST /v1/customers/{customer_id}/grants`. */
export const grantRequestSchema = z.strictObject({
  units: positiveUnits('Units added to the budget.'),
  reason: printable('Why, for the record.', 500).optional(),
  idempotency_key: identifier('Grants once, however often it is sent.').optional(),
})

/** `POST /v1/keys`. */
export const keyCreateSchema = z.strictObject({
  name: printable('A label for the key.'),
  scope: z
    .enum(['runtime', 'admin'], { error: fieldError('must be runtime or admin') })
    .meta({ description: 'runtime: preflight, record, reservations, balance. admin: all.' })
    .optional(),
})

const urlMessage = 'must be an http(s) URL of at most 2000 characters, or null'

/** `PATCH /v1/project`. */
export const projectUpdateSchema = z.strictObject({
  name: printable('Project name.').optional(),
  free_units: units('Units each new customer starts with.').optional(),
  upgrade_url: z
    .string({ error: fieldError(urlMessage) })
    .max(2000, { error: urlMessage })
    .refine(
      (value) => {
        try {
          const url = new URL(value)
          return url.protocol === 'https:' || url.protocol === 'http:'
        } catch {
          return false
        }
      },
      { error: urlMessage },
    )
    .nullable()
    .meta({ description: 'Sent on blocked decisions; `{customer_id}` is replaced.' })
    .optional(),
  default_ttl_seconds: ttlSeconds('Default reservation lifetime, 1–86400.').optional(),
})

const webhookUrlMessage = 'must be an http(s) URL'
const eventsMessage = `must be a list of event types (${WEBHOOK_EVENT_TYPES.join(', ')}) or ["*"], each once`
const thresholdsMessage = `must be a list of 1 to 10 different integers from 1 to ${MAX_BUDGET_THRESHOLD} (percents)`

/** `POST /v1/webhooks`. */
export const webhookCreateSchema = z.strictObject({
  url: z
    .string({ error: fieldError(webhookUrlMessage) })
    .superRefine((value, context) => {
      try {
        parseWebhookUrl(value)
      } catch (error) {
        if (!(error instanceof WebhookTargetError)) throw error
        context.addIssue({ code: 'custom', message: error.message })
      }
    })
    .meta({
      description:
        'Where events are POSTed: http(s), a public address unless the server allows private ' +
        'targets (checked now and before every delivery, after DNS resolution); redirects are ' +
        'not followed.',
      maxLength: 2000,
    }),
  events: z
    .array(z.enum([...WEBHOOK_EVENT_TYPES, '*'], { error: eventsMessage }), {
      error: fieldError(eventsMessage),
    })
    .min(1, { error: eventsMessage })
    .max(WEBHOOK_EVENT_TYPES.length + 1, { error: eventsMessage })
    .refine((values) => new Set(values).size === values.length, { error: eventsMessage })
    .meta({ description: 'Event types to send there; ["*"] for all.' }),
  thresholds: z
    .array(
      z
        .number({ error: thresholdsMessage })
        .int({ error: thresholdsMessage })
        .min(1, { error: thresholdsMessage })
        .max(MAX_BUDGET_THRESHOLD, { error: thresholdsMessage }),
      { error: fieldError(thresholdsMessage) },
    )
    .min(1, { error: thresholdsMessage })
    .max(10, { error: thresholdsMessage })
    .refine((values) => new Set(values).size === values.length, { error: thresholdsMessage })
    .meta({
      description:
        "Percents of a customer's granted units at which customer.budget.threshold fires (each " +
        'once per period and allowance). Default [80, 100].',
    })
    .optional(),
  description: printable('What the endpoint is for.', 500).optional(),
})

/** `{id}/deliveries/{delivery_id}` path parameters. */
export const webhookDeliveryPathSchema = z.strictObject({
  id: serverId('The webhook endpoint.'),
  delivery_id: serverId('The delivery.'),
})

/** `GET /v1/webhooks/{id}/deliveries` query. */
export const webhookDeliveryListQuerySchema = z.strictObject({
  status: z
    .enum(['pending', 'succeeded', 'failed', 'cancelled'], {
      error: fieldError('must be one of pending, succeeded, failed, cancelled'),
    })
    .meta({ description: 'Only deliveries in this status.' })
    .optional(),
  limit: limitQuery().optional(),
  starting_after: serverId('Id of the last delivery of the previous page.').optional(),
})

/** `POST /v1/register`. */
export const registerRequestSchema = z.strictObject({
  project_name: printable('Name of the new project.'),
  email: z
    .email({ error: fieldError('must be an email address') })
    .max(320, { error: 'must be an email address' })
    .meta({ description: 'Contact address (kept for the operator).' })
    .optional(),
})

/** A body-less POST (release) accepts `{}` or nothing. */
export const emptyBodySchema = z.strictObject({})

/** `{customer_id}` path parameter. */
export const customerPathSchema = z.strictObject({
  customer_id: identifier('The customer.'),
})

/** `{id}` path parameter. */
export const idPathSchema = z.strictObject({
  id: serverId('The object id.'),
})

/** `GET /v1/customers` query. */
export const customerListQuerySchema = z.strictObject({
  limit: limitQuery().optional(),
  starting_after: identifier('customer_id of the last item of the previous page.').optional(),
  search: identifier(
    'Only customers whose customer_id contains this text (ASCII letters in either case; ' +
      '% and _ are plain characters).',
  ).optional(),
})

/** `{run_id}` path parameter. */
export const runPathSchema = z.strictObject({
  run_id: identifier('The run.'),
})

/** `GET /v1/events` query. */
export const eventListQuerySchema = z.strictObject({
  customer_id: identifier('Only this customer.').optional(),
  agent_id: identifier('Only this agent.').optional(),
  run_id: identifier('Only this run.').optional(),
  since: timeQuery('From this time (inclusive).').optional(),
  until: timeQuery('Before this time (exclusive).').optional(),
  limit: limitQuery().optional(),
  starting_after: serverId('Id of the last item of the previous page.').optional(),
})

/** `GET /v1/decisions` query. */
export const decisionListQuerySchema = eventListQuerySchema.extend({
  approved: z
    .enum(['true', 'false'], { error: fieldError('must be true or false') })
    .meta({ description: 'Only approved (true) or blocked (false) decisions.' })
    .optional(),
})

const groupByMessage =
  'must be one or two of agent, customer, day, comma-separated (e.g. day,agent)'

/** `GET /v1/usage` query. */
export const usageQuerySchema = z.strictObject({
  group_by: z
    .string({ error: fieldError(groupByMessage) })
    .regex(/^(agent|customer|day)(,(agent|customer|day))?$/, { error: groupByMessage })
    .refine((value) => new Set(value.split(',')).size === value.split(',').length, {
      error: groupByMessage,
    })
    .meta({ description: 'One or two of agent, customer, day. Default day.' })
    .optional(),
  since: timeQuery('From this time (inclusive).').optional(),
  until: timeQuery('Before this time (exclusive).').optional(),
  customer_id: identifier("Only this customer's events.").optional(),
  agent_id: identifier("Only this agent's events.").optional(),
})

const decisionGroupByMessage =
  'must be one or two of agent, customer, day, reason, comma-separated (e.g. day,reason)'

/** `GET /v1/decisions/summary` query. */
export const decisionSummaryQuerySchema = z.strictObject({
  group_by: z
    .string({ error: fieldError(decisionGroupByMessage) })
    .regex(/^(agent|customer|day|reason)(,(agent|customer|day|reason))?$/, {
      error: decisionGroupByMessage,
    })
    .refine((value) => new Set(value.split(',')).size === value.split(',').length, {
      error: decisionGroupByMessage,
    })
    .meta({ description: 'One or two of agent, customer, day, reason. Default day.' })
    .optional(),
  approved: z
    .enum(['true', 'false'], { error: fieldError('must be true or false') })
    .meta({ description: 'Only approved (true) or blocked (false) decisions.' })
    .optional(),
  since: timeQuery('From this time (inclusive).').optional(),
  until: timeQuery('Before this time (exclusive).').optional(),
  customer_id: identifier("Only this customer's decisions.").optional(),
  agent_id: identifier("Only this agent's decisions.").optional(),
})

/** An empty query (no parameter is known). */
export const emptyQuerySchema = z.strictObject({})

export type PreflightRequest = z.output<typeof preflightRequestSchema>
export type RecordRequest = z.output<typeof recordRequestSchema>
export type CustomerUpdate = z.output<typeof customerUpdateSchema>
export type GrantRequest = z.output<typeof grantRequestSchema>
export type KeyCreate = z.output<typeof keyCreateSchema>
export type ProjectUpdate = z.output<typeof projectUpdateSchema>
export type RegisterRequest = z.output<typeof registerRequestSchema>
export type EventListQuery = z.output<typeof eventListQuerySchema>
export type DecisionListQuery = z.output<typeof decisionListQuerySchema>
export type UsageQueryInput = z.output<typeof usageQuerySchema>
export type CustomerListQuery = z.output<typeof customerListQuerySchema>
export type WebhookCreate = z.output<typeof webhookCreateSchema>
export type WebhookDeliveryListQuery = z.output<typeof webhookDeliveryListQuerySchema>
export type DecisionSummaryQueryInput = z.output<typeof decisionSummaryQuerySchema>
