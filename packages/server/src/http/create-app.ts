import { randomBytes } from 'node:crypto'
import type { HttpBindings } from '@hono/node-server'
import { type Context, Hono } from 'hono'
import type { Logger } from 'pino'
import { z } from 'zod'
import { hashApiKey } from '../api-key.js'
import { type DashboardOptions, registerDashboard } from '../dashboard/register-dashboard.js'
import { ApiError } from '../errors/api-error.js'
import { createProject } from '../ledger/ledger.js'
import type { WebhookSignal } from '../ledger/webhook-outbox.js'
import { Metrics } from '../metrics.js'
import { identifier } from '../schemas/fields.js'
import { healthSchema, registerResponseSchema } from '../schemas/objects.js'
import { emptyBodySchema, emptyQuerySchema, registerRequestSchema } from '../schemas/requests.js'
import type { Store } from '../store/store.js'
import { systemLookup, type WebhookTargetPolicy } from '../webhooks/webhook-target.js'
import { authenticate } from './authenticate.js'
import { renderDocsPage } from './docs-page.js'
import { internalClientAddress } from './internal-request.js'
import { buildOpenApiDocument, type OpenApiDocument } from './openapi.js'
import { RateLimiter, type RateLimiterOptions } from './rate-limiter.js'
import { type HeaderReader, readJsonBody } from './read-json-body.js'
import type { DocumentedRoute, Route, RouteServices } from './route.js'
import { errorResponses, keyedRoutes } from './routes.js'
import { type InputLocation, validationError } from './validation-error.js'

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Where the ledger lives. */
  store: Store
  /** Structured logger; keys never reach it. Default: silent. */
  logger?: Logger
  /**
   * The server's clock (epoch ms). Decisions, expiries and periods use it, never the client's.
   * @default Date.now
   */
  clock?: () => number
  /** Limits `POST /v1/register` per client address. @default { max: 10, windowSeconds: 60 } */
  registerRateLimit?: RateLimiterOptions
  /** Counters for `GET /metrics`. @default a new Metrics */
  metrics?: Metrics
  /** Reports the client address of a request (for the register rate limit). */
  clientAddress?: (request: Request, env: unknown) => string
  /**
   * The dashboard served at `/` (see `src/dashboard/`), or `false` for the API only.
   * @default {}
   */
  dashboard?: DashboardOptions | false
  /**
   * Where webhook endpoints may point.
   * @default { allowPrivateTargets: false, lookup: the system resolver, lookupTimeoutMs: 5000 }
   */
  webhookPolicy?: WebhookTargetPolicy
  /** Told after a request committed webhook deliveries (wakes the delivery worker). */
  webhookSignal?: WebhookSignal
}

/** The webhook target policy when none is given: public addresses only. */
export const DEFAULT_WEBHOOK_POLICY: WebhookTargetPolicy = {
  allowPrivateTargets: false,
  lookup: systemLookup,
  lookupTimeoutMs: 5000,
}

/** The HTTP application: a Hono app and its fetch handler. */
export interface App {
  /** Hono app (mount it, or pass `app.fetch` to any fetch-based server). */
  hono: Hono<AppEnvironment>
  /** The fetch handler: `(request) => Promise<Response>`. */
  fetch: (request: Request, env?: unknown) => Promise<Response>
  metrics: Metrics
  /** The OpenAPI document served at `/openapi.json`. */
  openApiDocument(): OpenApiDocument
  /** Makes `/readyz` answer 503 (used while draining). */
  setDraining(draining: boolean): void
}

export type AppEnvironment = { Variables: { requestId: string; route: string } }

const idempotencyHeaderSchema = z.object({
  'Idempotency-Key': identifier('Idempotency-Key header'),
})

const requestIdPrefix = randomBytes(6).toString('base64url')
let requestCounter = 0

function parse<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  location: InputLocation,
): z.output<Schema> {
  const result = schema.safeParse(value)
  if (!result.success) throw validationError(result.error, location)
  return result.data
}

function bearerToken(header: string | undefined): string {
  if (header === undefined) {
    throw new ApiError('authentication_failed', 'Missing API key: send Authorization: Bearer agb_…')
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (match === null) {
    throw new ApiError('authentication_failed', 'Authorization must be "Bearer agb_…"')
  }
  return match[1] as string
}

function singleQueryValues(queries: Record<string, string[]>): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [name, values] of Object.entries(queries)) {
    if (values.length > 1) {
      throw new ApiError('invalid_request', `Query parameter ${name} is given more than once`, {
        param: name,
      })
    }
    result[name] = values[0] ?? ''
  }
  return result
}

const toHonoPath = (path: string) => path.replaceAll(/\{([a-z_]+)\}/g, ':$1')

/**
 * Header access that, under @hono/node-server, reads Node's plain header object instead of
 * building a Fetch `Headers` for every request (a measurable share of a request's cost).
 */
function headerReader(context: Context<AppEnvironment>): HeaderReader {
  const incoming = (context.env as Partial<HttpBindings> | undefined)?.incoming
  if (incoming === undefined) return (name) => context.req.header(name)
  return (name) => {
    const value = incoming.headers[name]
    return typeof value === 'string' ? value : undefined
  }
}

/** The documented routes that are not keyed: register and the operational endpoints. */
const publicRoutes: DocumentedRoute[] = [
  {
    method: 'post',
    path: '/v1/register',
    operationId: 'register',
    summary: 'Create a project and its first admin key',
    description: 'Rate-limited per client address (429 with Retry-After).',
    tag: 'Public',
    auth: 'public',
    body: registerRequestSchema,
    responses: [
      {
        status: 201,
        description: 'The project and its admin key (shown once).',
        schema: registerResponseSchema,
      },
      ...errorResponses(400, 413, 415, 429),
    ],
  },
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'The process is up',
    tag: 'Public',
    auth: 'public',
    responses: [{ status: 200, description: '{"status":"ok"}', schema: healthSchema }],
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'ready',
    summary: 'The store answers',
    tag: 'Public',
    auth: 'public',
    responses: [
      { status: 200, description: '{"status":"ready"}', schema: healthSchema },
      { status: 503, description: '{"status":"unavailable"}', schema: healthSchema },
    ],
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    tag: 'Public',
    auth: 'public',
    responses: [{ status: 200, description: 'Text exposition format.', contentType: 'text/plain' }],
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This document',
    tag: 'Public',
    auth: 'public',
    responses: [{ status: 200, description: 'OpenAPI 3.1.' }],
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'docs',
    summary: 'This document, rendered',
    tag: 'Public',
    auth: 'public',
    responses: [{ status: 200, description: 'HTML.', contentType: 'text/html' }],
  },
]

/**
 * Builds the HTTP layer: routing, validation (zod), auth, body limits, errors, metrics. Every
 * keyed request runs its key lookup and its ledger work in ONE store transaction.
 */
export function createApp(options: AppOptions): App {
  const { store } = options
  const clock = options.clock ?? Date.now
  const logger = options.logger
  const metrics = options.metrics ?? new Metrics()
  const registerLimiter = new RateLimiter(options.registerRateLimit)
  const services: RouteServices = {
    webhookPolicy: options.webhookPolicy ?? DEFAULT_WEBHOOK_POLICY,
  }
  const networkAddress = options.clientAddress ?? (() => 'unknown')
  const clientAddress = (request: Request, env: unknown) =>
    internalClientAddress(env) ?? networkAddress(request, env)
  let draining = false
  let document: OpenApiDocument | undefined
  let docsPage: string | undefined
  const openApiDocument = () => {
    document ??= buildOpenApiDocument([...keyedRoutes, ...publicRoutes])
    return document
  }

  const app = new Hono<AppEnvironment>()

  app.use(async (context, next) => {
    const requestId = `req_${requestIdPrefix}${(++requestCounter).toString(36)}`
    context.set('requestId', requestId)
    context.set('route', 'unmatched')
    const started = performance.now()
    // Set before the response is built, so it travels in the response's init (the adapter's
    // fast path) instead of forcing a Headers object afterwards.
    context.header('x-request-id', requestId)
    await next()
    metrics.observe(
      context.req.method,
      context.get('route'),
      context.res.status,
      (performance.now() - started) / 1000,
    )
  })

  app.onError((error, context) => {
    const requestId = context.get('requestId')
    if (error instanceof ApiError) {
      if (error.retryAfterSeconds !== undefined) {
        context.header('retry-after', String(error.retryAfterSeconds))
      }
      return context.json(error.toBody(), error.status as 400)
    }
    logger?.error({ err: error, requestId, route: context.get('route') }, 'request failed')
    return context.json(
      {
        error: {
          type: 'internal',
          message: `Internal error; quote ${requestId} when reporting it`,
          param: null,
        },
      },
      500,
    )
  })

  app.notFound((context) =>
    context.json({ error: { type: 'not_found', message: 'No such endpoint', param: null } }, 404),
  )

  for (const route of keyedRoutes) {
    const takesBody = route.method === 'post' || route.method === 'patch'
    app.on(route.method.toUpperCase(), toHonoPath(route.path), async (context) => {
      context.set('route', route.path)
      const header = headerReader(context)
      const token = bearerToken(header('authorization'))
      const params =
        route.params === undefined ? {} : parse(route.params, context.req.param(), 'path')
      const query = parse(
        route.query ?? emptyQuerySchema,
        context.req.url.includes('?') ? singleQueryValues(context.req.queries()) : {},
        'query',
      )
      let body: unknown = {}
      if (takesBody) {
        const raw = await readJsonBody(context.req.raw, header)
        const schema = route.body ?? emptyBodySchema
        body = parse(schema, raw === undefined && schema === emptyBodySchema ? {} : raw, 'body')
        if (route.idempotencyHeader === true) {
          const headerKey = header('idempotency-key')
          if (headerKey !== undefined) {
            const key = parse(idempotencyHeaderSchema, { 'Idempotency-Key': headerKey }, 'header')[
              'Idempotency-Key'
            ]
            const fields = body as { idempotency_key?: string }
            if (fields.idempotency_key === undefined) fields.idempotency_key = key
            else if (fields.idempotency_key !== key) {
              throw new ApiError(
                'invalid_request',
                'idempotency_key and the Idempotency-Key header differ',
                { param: 'idempotency_key' },
              )
            }
          }
        }
      }
      const keyHash = hashApiKey(token)
      const authorize = async (tx: Parameters<Route['handle']>[0], now: number) => {
        const found = await authenticate(tx, token, keyHash, now)
        if (route.auth === 'admin' && found.key.scope !== 'admin') {
          throw new ApiError('permission_denied', 'This endpoint needs an admin key')
        }
        return found
      }
      if (route.prepare !== undefined) {
        // Only a caller with the right key may make the server do the preparation's I/O.
        await store.transaction((tx) => authorize(tx, clock()))
        await route.prepare({ params, query, body, services })
      }
      let deliveriesCreated = false
      const webhookSignal: WebhookSignal = {
        deliveriesCreated: () => {
          deliveriesCreated = true
        },
      }
      const result = await store.transaction(async (tx) => {
        const now = clock()
        const found = await authorize(tx, now)
        return route.handle(tx, {
          params,
          query,
          body,
          services,
          context: { project: found.project, now, webhookSignal },
          key: found.key,
          now,
        })
      })
      // Committed: the worker may look now (a store may run a transaction again, so this is
      // only a hint; the worker's timer finds every delivery anyway).
      if (deliveriesCreated) options.webhookSignal?.deliveriesCreated()
      return context.json(result.body as object, result.status as 200)
    })
  }

  app.post('/v1/register', async (context) => {
    context.set('route', '/v1/register')
    const retryAfter = registerLimiter.take(clientAddress(context.req.raw, context.env), clock())
    if (retryAfter > 0) {
      throw new ApiError('rate_limited', 'Too many registrations from this address', {
        retryAfterSeconds: retryAfter,
      })
    }
    const body = parse(
      registerRequestSchema,
      await readJsonBody(context.req.raw, headerReader(context)),
      'body',
    )
    const result = await store.transaction((tx) => createProject(tx, body, clock()))
    logger?.info({ projectId: result.project.id }, 'project registered')
    return context.json(result, 201)
  })

  app.get('/healthz', (context) => {
    context.set('route', '/healthz')
    return context.json({ status: 'ok' })
  })

  app.get('/readyz', async (context) => {
    context.set('route', '/readyz')
    const ready = !draining && (await store.ping())
    if (!ready) context.header('retry-after', '5')
    return ready ? context.json({ status: 'ready' }) : context.json({ status: 'unavailable' }, 503)
  })

  app.get('/metrics', (context) => {
    context.set('route', '/metrics')
    return context.text(metrics.render(), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    })
  })

  app.get('/openapi.json', (context) => {
    context.set('route', '/openapi.json')
    return context.json(openApiDocument())
  })

  app.get('/docs', (context) => {
    context.set('route', '/docs')
    docsPage ??= renderDocsPage(openApiDocument())
    return context.html(docsPage)
  })

  if (options.dashboard !== false) {
    registerDashboard(app, {
      ...options.dashboard,
      store,
      clock,
      clientAddress,
      ...(logger === undefined ? {} : { logger }),
    })
  }

  return {
    hono: app,
    fetch: (request, env) => Promise.resolve(app.fetch(request, env)),
    metrics,
    openApiDocument,
    setDraining: (value) => {
      draining = value
    },
  }
}

export type { Route }
