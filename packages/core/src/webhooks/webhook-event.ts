/** The kinds of event AgentBill delivers to webhook endpoints. */
export type WebhookEventType =
  | 'customer.budget.threshold'
  | 'preflight.blocked'
  | 'run.ceiling_reached'
  | 'reservation.expired'
  | 'customer.overage'
  | 'grant.created'

/**
 * One event, as delivered: the body of the POST, parsed. `data` is in the API's snake_case, like
 * the objects of the HTTP API. The same `id` arrives on every retry of one event: use it to
 * process each event once.
 */
export interface WebhookEvent {
  /** Unique per event, the same on every retry. */
  id: string
  type: WebhookEventType | (string & {})
  /** When the event happened (ISO 8601). */
  created_at: string
  project_id: string
  data: Record<string, unknown>
}
