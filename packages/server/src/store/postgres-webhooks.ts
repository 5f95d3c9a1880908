import {
  integer,
  type Row,
  text,
  toAttempt,
  toDeliveryWithEvent,
  toEndpoint,
} from './row-mappers.js'
import type {
  ClaimedWebhookDelivery,
  WebhookAttemptRow,
  WebhookDeliveryRow,
  WebhookDeliveryWithEvent,
  WebhookEndpointRow,
  WebhookStoreTransaction,
} from './webhook-store.js'

/** How the webhook operations reach their transaction's connection. */
export interface PostgresStatements {
  /** Runs a statement and waits for its rows. */
  rows(sql: string, values: readonly unknown[]): Promise<Row[]>
  /** Sends a write whose result nobody reads (pipelined when the connection is). */
  send(sql: string, values: readonly unknown[]): Promise<void>
}

// A delivery's columns, then its event's (prefixed `event_`).
const EVENT_COLUMNS = `e.type AS event_type, e.payload AS event_payload,
  e.dedup_key AS event_dedup_key, e.created_at AS event_created_at`
const DELIVERY_WITH_EVENT = `SELECT d.*, ${EVENT_COLUMNS}
  FROM webhook_deliveries d
  JOIN webhook_events e ON e.project_id = d.project_id AND e.id = d.event_id`

/**
 * The PostgreSQL store's webhook operations, on the connection of a {@link PostgresTransaction}.
 *
 * Several instances share the deliveries: a claim takes due rows `FOR UPDATE SKIP LOCKED` and
 * moves their `next_attempt_at` past a lease in the same statement, so a row another instance
 * is claiming is skipped (not waited for), and once that claim commits the row is no longer
 * due — each delivery goes to one worker at a time, and back to any worker when its lease
 * runs out. An attempt's outcome applies only while the delivery's `attempts` still equals
 * the attempt's number (a fencing token): a worker whose lease ran out cannot overwrite the
 * outcome of the claim that replaced it.
 */
export class PostgresWebhookTransaction implements WebhookStoreTransaction {
  readonly #db: PostgresStatements

  constructor(db: PostgresStatements) {
    this.#db = db
  }

  async insertEndpoint(row: WebhookEndpointRow): Promise<void> {
    await this.#db.send(
      `INSERT INTO webhook_endpoints (id, project_id, url, description, events, thresholds,
         secret, created_at, deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        row.id,
        row.projectId,
        row.url,
        row.description,
        JSON.stringify(row.events),
        JSON.stringify(row.thresholds),
        row.secret,
        row.createdAt,
        row.deletedAt,
      ],
    )
  }

  async getEndpoint(projectId: string, id: string): Promise<WebhookEndpointRow | undefined> {
    // Locked: deleting reads, then writes (two deletes answer the same deleted_at).
    const [row] = await this.#db.rows(
      'SELECT * FROM webhook_endpoints WHERE project_id = $1 AND id = $2 FOR UPDATE',
      [projectId, id],
    )
    return row === undefined ? undefined : toEndpoint(row)
  }

  async listEndpoints(projectId: string): Promise<WebhookEndpointRow[]> {
    return (
      await this.#db.rows(
        'SELECT * FROM webhook_endpoints WHERE project_id = $1 AND deleted_at IS NULL ORDER BY id',
        [projectId],
      )
    ).map(toEndpoint)
  }

  async deleteEndpoint(projectId: string, id: string, deletedAt: number): Promise<void> {
    await this.#db.send(
      `UPDATE webhook_endpoints SET deleted_at = $3
       WHERE project_id = $1 AND id = $2 AND deleted_at IS NULL`,
      [projectId, id, deletedAt],
    )
    await this.#db.send(
      `UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL, completed_at = $3
       WHERE project_id = $1 AND endpoint_id = $2 AND status = 'pending'`,
      [projectId, id, deletedAt],
    )
  }

  async insertEvent(row: Parameters<WebhookStoreTransaction['insertEvent']>[0]): Promise<boolean> {
    const values = [row.id, row.projectId, row.type, row.payload, row.dedupKey, row.createdAt]
    if (row.dedupKey === null) {
      // Nothing to collide with: sent without waiting.
      await this.#db.send(
        `INSERT INTO webhook_events (id, project_id, type, payload, dedup_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        values,
      )
      return true
    }
    // A concurrent transaction inserting the same key makes this one wait for its outcome,
    // then do nothing (it committed) or insert (it rolled back): never an error.
    const inserted = await this.#db.rows(
      `INSERT INTO webhook_events (id, project_id, type, payload, dedup_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (project_id, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
       RETURNING id`,
      values,
    )
    return inserted.length === 1
  }

  async insertDelivery(row: WebhookDeliveryRow): Promise<void> {
    await this.#db.send(
      `INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_id, status, attempts,
         max_attempts, next_attempt_at, last_attempt_at, last_response_status, last_error,
         created_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        row.id,
        row.projectId,
        row.endpointId,
        row.eventId,
        row.status,
        row.attempts,
        row.maxAttempts,
        row.nextAttemptAt,
        row.lastAttemptAt,
        row.lastResponseStatus,
        row.lastError,
        row.createdAt,
        row.completedAt,
      ],
    )
  }

  async getDelivery(projectId: string, id: string): Promise<WebhookDeliveryWithEvent | undefined> {
    const [row] = await this.#db.rows(
      `${DELIVERY_WITH_EVENT} WHERE d.project_id = $1 AND d.id = $2 FOR UPDATE OF d`,
      [projectId, id],
    )
    return row === undefined ? undefined : toDeliveryWithEvent(row)
  }

  async listDeliveries(
    projectId: string,
    endpointId: string,
    options: Parameters<WebhookStoreTransaction['listDeliveries']>[2],
  ): Promise<WebhookDeliveryWithEvent[]> {
    const clauses = ['d.project_id = $1', 'd.endpoint_id = $2']
    const values: unknown[] = [projectId, endpointId]
    if (options.status !== undefined) {
      values.push(options.status)
      clauses.push(`d.status = $${values.length}`)
    }
    if (options.startingAfter !== undefined) {
      values.push(options.startingAfter)
      clauses.push(`d.id < $${values.length}`)
    }
    values.push(options.limit + 1)
    return (
      await this.#db.rows(
        `${DELIVERY_WITH_EVENT} WHERE ${clauses.join(' AND ')} ORDER BY d.id DESC LIMIT $${values.length}`,
        values,
      )
    ).map(toDeliveryWithEvent)
  }

  async listAttempts(
    projectId: string,
    deliveryIds: readonly string[],
  ): Promise<WebhookAttemptRow[]> {
    if (deliveryIds.length === 0) return []
    return (
      await this.#db.rows(
        `SELECT * FROM webhook_attempts WHERE project_id = $1 AND delivery_id = ANY($2::text[])
         ORDER BY delivery_id, attempt`,
        [projectId, deliveryIds],
      )
    ).map(toAttempt)
  }

  async rescheduleDelivery(
    projectId: string,
    id: string,
    schedule: Parameters<WebhookStoreTransaction['rescheduleDelivery']>[2],
  ): Promise<void> {
    await this.#db.send(
      `UPDATE webhook_deliveries SET status = $3, next_attempt_at = $4, max_attempts = $5,
         completed_at = NULL WHERE project_id = $1 AND id = $2`,
      [projectId, id, schedule.status, schedule.nextAttemptAt, schedule.maxAttempts],
    )
  }

  async claimDeliveries(options: {
    now: number
    limit: number
    leaseUntil: number
  }): Promise<ClaimedWebhookDelivery[]> {
    // A due delivery with no attempt left (its worker died during the last one) fails instead
    // of being claimed. SET expressions see the row as it was.
    const rows = await this.#db.rows(
      `WITH due AS (
         SELECT project_id, id, next_attempt_at AS due_at FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= $1::bigint
         ORDER BY next_attempt_at, id
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries d
       SET status = CASE WHEN d.attempts >= d.max_attempts THEN 'failed' ELSE 'pending' END,
         attempts = CASE WHEN d.attempts >= d.max_attempts THEN d.attempts ELSE d.attempts + 1 END,
         next_attempt_at = CASE WHEN d.attempts >= d.max_attempts THEN NULL ELSE $3::bigint END,
         completed_at = CASE WHEN d.attempts >= d.max_attempts THEN $1::bigint ELSE d.completed_at END,
         last_attempt_at =
           CASE WHEN d.attempts >= d.max_attempts THEN d.last_attempt_at ELSE $1::bigint END
       FROM due, webhook_events e, webhook_endpoints w
       WHERE d.project_id = due.project_id AND d.id = due.id
         AND e.project_id = d.project_id AND e.id = d.event_id
         AND w.project_id = d.project_id AND w.id = d.endpoint_id
       RETURNING d.*, ${EVENT_COLUMNS}, w.url, w.secret, due.due_at`,
      [options.now, options.limit, options.leaseUntil],
    )
    // Oldest due first, as they were chosen (an UPDATE returns rows in no set order).
    return rows
      .filter((row) => row.status === 'pending')
      .sort(
        (left, right) =>
          integer(left.due_at) - integer(right.due_at) || compare(text(left.id), text(right.id)),
      )
      .map((row) => ({ ...toDeliveryWithEvent(row), url: text(row.url), secret: text(row.secret) }))
  }

  async finishAttempt(
    outcome: Parameters<WebhookStoreTransaction['finishAttempt']>[0],
  ): Promise<boolean> {
    const { attempt, status, nextAttemptAt } = outcome
    await this.#db.send(
      `INSERT INTO webhook_attempts (project_id, delivery_id, attempt, started_at, duration_ms,
         response_status, error, succeeded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING`,
      [
        attempt.projectId,
        attempt.deliveryId,
        attempt.attempt,
        attempt.startedAt,
        attempt.durationMs,
        attempt.responseStatus,
        attempt.error,
        attempt.succeeded,
      ],
    )
    const applied = await this.#db.rows(
      `UPDATE webhook_deliveries SET status = $4, next_attempt_at = $5, last_response_status = $6,
         last_error = $7, completed_at = $8
       WHERE project_id = $1 AND id = $2 AND status = 'pending' AND attempts = $3
       RETURNING id`,
      [
        attempt.projectId,
        attempt.deliveryId,
        attempt.attempt,
        status,
        status === 'pending' ? nextAttemptAt : null,
        attempt.responseStatus,
        attempt.error,
        status === 'pending' ? null : attempt.startedAt + attempt.durationMs,
      ],
    )
    return applied.length === 1
  }

  async pruneDeliveries(options: { before: number; limit: number }): Promise<number> {
    // Several instances may prune at once: each deletes rows nobody else is deleting.
    const deleted = await this.#db.rows(
      `DELETE FROM webhook_deliveries WHERE (project_id, id) IN (
         SELECT project_id, id FROM webhook_deliveries
         WHERE status <> 'pending' AND completed_at < $1
         ORDER BY completed_at LIMIT $2
         FOR UPDATE SKIP LOCKED
       ) RETURNING project_id, id, event_id`,
      [options.before, options.limit],
    )
    if (deleted.length === 0) return 0
    const projects = deleted.map((row) => text(row.project_id))
    await this.#db.send(
      `DELETE FROM webhook_attempts WHERE (project_id, delivery_id) IN
         (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [projects, deleted.map((row) => text(row.id))],
    )
    await this.#db.send(
      `DELETE FROM webhook_events e
       WHERE (e.project_id, e.id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
         AND e.dedup_key IS NULL
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                         WHERE d.project_id = e.project_id AND d.event_id = e.id)`,
      [projects, deleted.map((row) => text(row.event_id))],
    )
    return deleted.length
  }
}

/** Byte order, as SQLite and `COLLATE "C"` compare (ids are ASCII). */
function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0
}
