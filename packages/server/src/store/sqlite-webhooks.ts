import {
  integer,
  type Row,
  text,
  toAttempt,
  toDeliveryWithEvent,
  toEndpoint,
} from './row-mappers.js'
import type { ClaimedWebhookDelivery, WebhookStoreTransaction } from './webhook-store.js'

/** The statements of the SQLite store's connection (prepared once per SQL text). */
export interface SqliteStatements {
  get(sql: string, ...parameters: unknown[]): Row | undefined
  all(sql: string, ...parameters: unknown[]): Row[]
  /** Runs a write; resolves how many rows it changed. */
  run(sql: string, ...parameters: unknown[]): number
}

/** The SQLite tables (migration 4), as created by `sqlite-migrations.ts`. */
// A delivery's columns, then its event's (prefixed `event_`).
const EVENT_COLUMNS = `e.type AS event_type, e.payload AS event_payload,
  e.dedup_key AS event_dedup_key, e.created_at AS event_created_at`
const DELIVERY_WITH_EVENT = `SELECT d.*, ${EVENT_COLUMNS}
  FROM webhook_deliveries d
  JOIN webhook_events e ON e.project_id = d.project_id AND e.id = d.event_id`

/**
 * The SQLite store's webhook operations. Writers are serialized (one connection, group
 * commit), so a claim needs no row locks: the claim's own UPDATE is what later claims see.
 */
export function createSqliteWebhookTransaction(db: SqliteStatements): WebhookStoreTransaction {
  return {
    insertEndpoint: async (row) => {
      db.run(
        `INSERT INTO webhook_endpoints (id, project_id, url, description, events, thresholds,
             secret, created_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        row.id,
        row.projectId,
        row.url,
        row.description,
        JSON.stringify(row.events),
        JSON.stringify(row.thresholds),
        row.secret,
        row.createdAt,
        row.deletedAt,
      )
    },
    getEndpoint: async (projectId, id) => {
      const row = db.get(
        'SELECT * FROM webhook_endpoints WHERE project_id = ? AND id = ?',
        projectId,
        id,
      )
      return row === undefined ? undefined : toEndpoint(row)
    },
    listEndpoints: async (projectId) =>
      db
        .all(
          'SELECT * FROM webhook_endpoints WHERE project_id = ? AND deleted_at IS NULL ORDER BY id',
          projectId,
        )
        .map(toEndpoint),
    deleteEndpoint: async (projectId, id, deletedAt) => {
      db.run(
        'UPDATE webhook_endpoints SET deleted_at = ? WHERE project_id = ? AND id = ? AND deleted_at IS NULL',
        deletedAt,
        projectId,
        id,
      )
      db.run(
        `UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL, completed_at = ?
         WHERE project_id = ? AND endpoint_id = ? AND status = 'pending'`,
        deletedAt,
        projectId,
        id,
      )
    },

    insertEvent: async (row) =>
      db.run(
        `INSERT INTO webhook_events (id, project_id, type, payload, dedup_key, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        row.id,
        row.projectId,
        row.type,
        row.payload,
        row.dedupKey,
        row.createdAt,
      ) === 1,
    insertDelivery: async (row) => {
      db.run(
        `INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_id, status, attempts,
             max_attempts, next_attempt_at, last_attempt_at, last_response_status, last_error,
             created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      )
    },
    getDelivery: async (projectId, id) => {
      const row = db.get(
        `${DELIVERY_WITH_EVENT} WHERE d.project_id = ? AND d.id = ?`,
        projectId,
        id,
      )
      return row === undefined ? undefined : toDeliveryWithEvent(row)
    },
    listDeliveries: async (projectId, endpointId, options) => {
      const clauses = ['d.project_id = ?', 'd.endpoint_id = ?']
      const parameters: unknown[] = [projectId, endpointId]
      if (options.status !== undefined) {
        clauses.push('d.status = ?')
        parameters.push(options.status)
      }
      if (options.startingAfter !== undefined) {
        clauses.push('d.id < ?')
        parameters.push(options.startingAfter)
      }
      return db
        .all(
          `${DELIVERY_WITH_EVENT} WHERE ${clauses.join(' AND ')} ORDER BY d.id DESC LIMIT ?`,
          ...parameters,
          options.limit + 1,
        )
        .map(toDeliveryWithEvent)
    },
    listAttempts: async (projectId, deliveryIds) => {
      if (deliveryIds.length === 0) return []
      return db
        .all(
          `SELECT * FROM webhook_attempts WHERE project_id = ? AND delivery_id IN
             (SELECT value FROM json_each(?)) ORDER BY delivery_id, attempt`,
          projectId,
          JSON.stringify(deliveryIds),
        )
        .map(toAttempt)
    },
    rescheduleDelivery: async (projectId, id, schedule) => {
      db.run(
        `UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, max_attempts = ?,
             completed_at = NULL WHERE project_id = ? AND id = ?`,
        schedule.status,
        schedule.nextAttemptAt,
        schedule.maxAttempts,
        projectId,
        id,
      )
    },

    claimDeliveries: async ({ now, limit, leaseUntil }) => {
      const due = db.all(
        `SELECT d.*, ${EVENT_COLUMNS}, w.url, w.secret
         FROM webhook_deliveries d INDEXED BY webhook_deliveries_due
         JOIN webhook_events e ON e.project_id = d.project_id AND e.id = d.event_id
         JOIN webhook_endpoints w ON w.project_id = d.project_id AND w.id = d.endpoint_id
         WHERE d.status = 'pending' AND d.next_attempt_at <= ?
         ORDER BY d.next_attempt_at, d.id LIMIT ?`,
        now,
        limit,
      )
      const claimed: ClaimedWebhookDelivery[] = []
      for (const row of due) {
        if (integer(row.attempts) >= integer(row.max_attempts)) {
          // Its worker died during the last attempt: nothing is left to try.
          db.run(
            `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, completed_at = ?
             WHERE project_id = ? AND id = ?`,
            now,
            row.project_id,
            row.id,
          )
          continue
        }
        db.run(
          `UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ?,
             last_attempt_at = ? WHERE project_id = ? AND id = ?`,
          leaseUntil,
          now,
          row.project_id,
          row.id,
        )
        const { delivery, event } = toDeliveryWithEvent(row)
        claimed.push({
          delivery: {
            ...delivery,
            attempts: delivery.attempts + 1,
            nextAttemptAt: leaseUntil,
            lastAttemptAt: now,
          },
          event,
          url: text(row.url),
          secret: text(row.secret),
        })
      }
      return claimed
    },
    finishAttempt: async ({ attempt, status, nextAttemptAt }) => {
      db.run(
        `INSERT INTO webhook_attempts (project_id, delivery_id, attempt, started_at, duration_ms,
           response_status, error, succeeded) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
        attempt.projectId,
        attempt.deliveryId,
        attempt.attempt,
        attempt.startedAt,
        attempt.durationMs,
        attempt.responseStatus,
        attempt.error,
        attempt.succeeded ? 1 : 0,
      )
      const finishedAt = attempt.startedAt + attempt.durationMs
      const applied = db.run(
        `UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, last_response_status = ?,
           last_error = ?, completed_at = ?
         WHERE project_id = ? AND id = ? AND status = 'pending' AND attempts = ?`,
        status,
        status === 'pending' ? nextAttemptAt : null,
        attempt.responseStatus,
        attempt.error,
        status === 'pending' ? null : finishedAt,
        attempt.projectId,
        attempt.deliveryId,
        attempt.attempt,
      )
      return applied === 1
    },
    pruneDeliveries: async ({ before, limit }) => {
      const finished = db.all(
        `SELECT project_id, id, event_id FROM webhook_deliveries INDEXED BY webhook_deliveries_finished
         WHERE status <> 'pending' AND completed_at < ? ORDER BY completed_at LIMIT ?`,
        before,
        limit,
      )
      for (const row of finished) {
        db.run(
          'DELETE FROM webhook_attempts WHERE project_id = ? AND delivery_id = ?',
          row.project_id,
          row.id,
        )
        db.run(
          'DELETE FROM webhook_deliveries WHERE project_id = ? AND id = ?',
          row.project_id,
          row.id,
        )
        db.run(
          `DELETE FROM webhook_events WHERE project_id = ? AND id = ? AND dedup_key IS NULL
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries
                             WHERE project_id = ? AND event_id = ?)`,
          row.project_id,
          row.event_id,
          row.project_id,
          row.event_id,
        )
      }
      return finished.length
    },
  }
}
