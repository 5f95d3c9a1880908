import type { z } from 'zod'
import type { LedgerContext } from '../ledger/ledger.js'
import type { ApiKeyRow, StoreTransaction } from '../store/store.js'
import type { WebhookTargetPolicy } from '../webhooks/webhook-target.js'

/** Who may call a route: anyone, a `runtime` or `admin` key, or only an `admin` key. */
export type RouteAuth = 'public' | 'runtime' | 'admin'

/** One documented response of a route. */
export interface RouteResponse {
  status: number
  description: string
  /** The body's schema (JSON), absent for non-JSON answers. */
  schema?: z.ZodType
  /** Content type when not JSON (e.g. `text/plain` for metrics). */
  contentType?: string
}

/** What routes need from the server besides the store. */
export interface RouteServices {
  /** Where webhook endpoints may point (checked, with DNS, before a new one is stored). */
  webhookPolicy: WebhookTargetPolicy
}

/** The validated input of a request, before its transaction. */
export interface PrepareInput<Params, Query, Body> {
  params: Params
  query: Query
  body: Body
  services: RouteServices
}

/** What a handler receives: validated input, and for keyed routes the key's project. */
export interface RouteInput<Params, Query, Body> {
  params: Params
  query: Query
  body: Body
  services: RouteServices
  /** Set on keyed routes. */
  context: LedgerContext
  /** The key that authenticated the request (keyed routes). */
  key: ApiKeyRow | undefined
  /** Server time for this request, epoch ms. */
  now: number
}

/** What a handler answers: a status and a JSON body. */
export interface RouteResult {
  status: number
  body: unknown
}

export interface RouteShape {
  method: 'get' | 'post' | 'patch' | 'delete'
  /** OpenAPI-style path: `/v1/customers/{customer_id}`. */
  path: string
  operationId: string
  summary: string
  description?: string
  tag: string
  auth: RouteAuth
  /** Accept the idempotency key as an `Idempotency-Key` header too. */
  idempotencyHeader?: boolean
  responses: RouteResponse[]
}

/** What the OpenAPI document needs of a route. */
export interface DocumentedRoute extends RouteShape {
  params?: z.ZodType
  query?: z.ZodType
  /** Validates the JSON body; absent means the route takes none (an empty `{}` is allowed). */
  body?: z.ZodType
}

/** A route of the API, with its schemas (which both validate and document it). */
export interface Route extends DocumentedRoute {
  /**
   * Checks that need I/O other than the store's (a DNS lookup), after the key is checked and
   * before the transaction: a transaction may await only its own statements.
   */
  prepare?(input: PrepareInput<unknown, unknown, unknown>): Promise<void>
  handle(tx: StoreTransaction, input: RouteInput<unknown, unknown, unknown>): Promise<RouteResult>
}

/**
 * Declares a route. The generic parameters tie the handler's input types to the schemas, so
 * what is documented, validated and handled is one definition.
 */
export function defineRoute<
  Params extends z.ZodType = z.ZodType<Record<string, never>>,
  Query extends z.ZodType = z.ZodType<Record<string, never>>,
  Body extends z.ZodType = z.ZodType<Record<string, never>>,
>(
  definition: RouteShape & {
    params?: Params
    query?: Query
    body?: Body
    prepare?(input: PrepareInput<z.output<Params>, z.output<Query>, z.output<Body>>): Promise<void>
    handle(
      tx: StoreTransaction,
      input: RouteInput<z.output<Params>, z.output<Query>, z.output<Body>>,
    ): Promise<RouteResult>
  },
): Route {
  // Erases the input types for the table; `create-app.ts` validates with the same schemas
  // before calling `handle`, which is what makes the cast sound.
  return definition as unknown as Route
}
