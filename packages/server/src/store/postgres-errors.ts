import { DatabaseError } from 'pg'
import { IDEMPOTENCY_INDEXES } from './postgres-migrations.js'

/**
 * What a failed statement means for the transaction that ran it:
 * - `unavailable`: the connection is gone or the server cannot serve (refused, reset,
 *   terminated by an administrator, shutting down, too many connections, timed out);
 * - `retry`: a deadlock victim or serialization failure — the same work run again succeeds;
 * - `conflict`: a concurrent transaction took the same idempotency key;
 * - `other`: anything else (a bug, a constraint): not retried.
 */
export type PostgresFailure = 'unavailable' | 'retry' | 'conflict' | 'other'

// SQLSTATE classes and codes (PostgreSQL, Appendix A).
const SERIALIZATION_FAILURE = '40001'
const DEADLOCK_DETECTED = '40P01'
const UNIQUE_VIOLATION = '23505'
const PROTOCOL_VIOLATION = '08P01'
const UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, or a fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '57P05', // idle_session_timeout
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  '25P03', // idle_in_transaction_session_timeout
])

/** Classifies an error thrown by `pg` (a server error with a SQLSTATE, or a socket error). */
export function classifyPostgresError(error: unknown): PostgresFailure {
  if (error instanceof DatabaseError) {
    const code = error.code ?? ''
    if (code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED) return 'retry'
    if (code === UNIQUE_VIOLATION) {
      return IDEMPOTENCY_INDEXES.has(error.constraint ?? '') ? 'conflict' : 'other'
    }
    if (UNAVAILABLE_CODES.has(code)) return 'unavailable'
    // Class 08 is "connection exception", except a protocol violation (our bug, not the link).
    if (code.startsWith('08') && code !== PROTOCOL_VIOLATION) return 'unavailable'
    return 'other'
  }
  if (error instanceof Error) {
    // Socket errors (ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT, ENOTFOUND, …) carry a code;
    // pg's own are plain Errors: "Connection terminated unexpectedly", "… due to connection
    // timeout", "timeout exceeded when trying to connect", "Query read timeout", "Client has
    // encountered a connection error and is not queryable".
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return 'unavailable'
    if (/connection|terminated|timeout|not queryable|closed/i.test(error.message)) {
      return 'unavailable'
    }
  }
  return 'other'
}
