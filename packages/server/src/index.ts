export type { DashboardOptions } from './dashboard/register-dashboard.js'
export { ApiError, type ApiErrorType } from './errors/api-error.js'
export { type App, type AppOptions, createApp } from './http/create-app.js'
export { buildOpenApiDocument, type OpenApiDocument } from './http/openapi.js'
export type { RateLimiterOptions } from './http/rate-limiter.js'
export {
  type AgentBillServer,
  type BootstrapResult,
  createServer,
  DEFAULT_DATABASE,
  type RunningServer,
  type ServerOptions,
  startServer,
  type WebhookOptions,
} from './server.js'
export {
  openPostgresStore,
  PostgresStore,
  type PostgresStoreOptions,
  type PostgresStoreStats,
} from './store/postgres-store.js'
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './store/sqlite-store.js'
export {
  type ApiKeyRow,
  type CustomerRow,
  type DecisionRow,
  type EventRow,
  type GrantRow,
  type ProjectRow,
  type ReservationRow,
  type RunRow,
  type Store,
  StoreConflictError,
  type StoreTransaction,
} from './store/store.js'
export { StoreUnavailableError } from './store/store-unavailable-error.js'
export { VERSION } from './version.js'
export { WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_DELAYS_MS } from './webhooks/retry-schedule.js'
export type { WebhookDispatcher } from './webhooks/webhook-dispatcher.js'
export {
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
} from './webhooks/webhook-event-types.js'
export type { ResolvedAddress, WebhookLookup } from './webhooks/webhook-target.js'
