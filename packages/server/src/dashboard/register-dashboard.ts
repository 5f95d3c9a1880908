import type { Hono } from 'hono'
import type { Logger } from 'pino'
import type { AppEnvironment } from '../http/create-app.js'
import type { RateLimiterOptions } from '../http/rate-limiter.js'
import type { Store } from '../store/store.js'
import { staticAssets } from './assets/static-assets.js'
import { DashboardRouter } from './dashboard-router.js'
import { registerActivityRoutes } from './routes/activity-routes.js'
import { registerAgentRoutes } from './routes/agent-routes.js'
import { registerAuthRoutes } from './routes/auth-routes.js'
import { registerCustomerRoutes } from './routes/customer-routes.js'
import { registerKeyRoutes } from './routes/key-routes.js'
import { registerOverviewRoute } from './routes/overview-route.js'
import { registerSettingsRoutes } from './routes/settings-routes.js'
import { registerWebhookRoutes } from './routes/webhook-routes.js'

/** Options of the dashboard served at `/`. */
export interface DashboardOptions {
  /**
   * Sign-in attempts allowed per client address.
   * @default { max: 10, windowSeconds: 60 }
   */
  signInRateLimit?: RateLimiterOptions
  /**
   * How long a sign-in lasts, in seconds (revoking its key or signing out ends it sooner).
   * @default 604800 (7 days)
   */
  sessionTtlSeconds?: number
  /**
   * How often the live pages (overview, agents, events, blocked, runs) refresh themselves, in
   * seconds; `0` turns it off.
   * @default 30
   */
  refreshSeconds?: number
}

/** What the dashboard needs from the app that serves it. */
export interface DashboardDependencies extends DashboardOptions {
  store: Store
  clock: () => number
  clientAddress: (request: Request, env: unknown) => string
  logger?: Logger
}

/**
 * Adds the dashboard to the app: pages rendered on the server (Hono JSX, escaped by
 * construction), SVG charts drawn on the server, one small script and one stylesheet served
 * from memory. Every page reads and writes through the app's own `/v1/*` handlers, in process,
 * with the session's token.
 */
export function registerDashboard(app: Hono<AppEnvironment>, options: DashboardDependencies): void {
  const refreshSeconds = options.refreshSeconds ?? 30
  const router = new DashboardRouter({
    app,
    clock: options.clock,
    clientAddress: options.clientAddress,
    sessionTtlSeconds: options.sessionTtlSeconds ?? 7 * 24 * 60 * 60,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  })
  for (const asset of Object.values(staticAssets)) {
    router.asset(asset.path, asset.contentType, asset.body, asset.immutable)
  }
  registerAuthRoutes(router, { store: options.store, signInRateLimit: options.signInRateLimit })
  registerOverviewRoute(router, refreshSeconds)
  registerCustomerRoutes(router)
  registerAgentRoutes(router, refreshSeconds)
  registerActivityRoutes(router, refreshSeconds)
  registerKeyRoutes(router, options.store)
  registerWebhookRoutes(router)
  registerSettingsRoutes(router)
}
