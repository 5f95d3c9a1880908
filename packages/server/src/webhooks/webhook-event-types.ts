/** The events AgentBill sends to webhook endpoints (see `notes/webhook-scheme.md`). */
export const WEBHOOK_EVENT_TYPES = [
  'customer.budget.threshold',
  'preflight.blocked',
  'run.ceiling_reached',
  'reservation.expired',
  'customer.overage',
  'grant.created',
] as const

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

/** An endpoint's subscription: event types, or `'*'` for every type (present and future). */
export type WebhookSubscription = WebhookEventType | '*'

/** Percents of a customer's granted units that fire `customer.budget.threshold` by default. */
export const DEFAULT_BUDGET_THRESHOLDS: readonly number[] = [80, 100]

/** The highest threshold an endpoint may set, in percent of the granted units. */
export const MAX_BUDGET_THRESHOLD = 1000

/** How many endpoints one project may have (each event is one delivery per endpoint). */
export const MAX_WEBHOOK_ENDPOINTS = 16

/** Whether an endpoint subscribed to these events gets events of `type`. */
export function subscribes(events: readonly string[], type: WebhookEventType): boolean {
  return events.includes('*') || events.includes(type)
}
