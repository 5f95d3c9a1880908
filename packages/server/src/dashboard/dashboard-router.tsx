import type { Context, Hono } from 'hono'
import { generateCookie, getCookie } from 'hono/cookie'
import type { Child } from 'hono/jsx'
import type { Logger } from 'pino'
import type { AppEnvironment } from '../http/create-app.js'
import type { Project } from '../schemas/objects.js'
import { Document, Flash } from './components/layout.js'
import {
  type AppFetch,
  DashboardApi,
  DashboardApiError,
  SessionEndedError,
} from './dashboard-api.js'
import { FormBodyError, readFormBody } from './form-body.js'
import { isHttps, publicOrigin } from './request-origin.js'
import { isSameOriginRequest } from './same-origin.js'
import { withSecurityHeaders } from './security-headers.js'
import {
  cookieAttributes,
  cookieNames,
  createFormToken,
  csrfTokenFor,
  sameSecret,
} from './session-cookie.js'

/** What every dashboard request knows, signed in or not. */
export interface DashboardRequest {
  context: Context<AppEnvironment>
  url: URL
  /** The origin the browser sees (`https://billing.example.com`). */
  origin: string
  https: boolean
  clientAddress: string
  now: number
  /** The API, without a credential (public endpoints; `withCredential` for the rest). */
  api: DashboardApi
  /** One query parameter (the first, if repeated). */
  query(name: string): string | undefined
}

/** A signed-in request: the session's API client, its project and its forms' CSRF token. */
export interface SignedInRequest extends DashboardRequest {
  sessionToken: string
  csrf: string
  project: Project
}

/** A page or action's answer. */
export type Handler<Request> = (request: Request) => Promise<Response>
export type FormHandler<Request> = (request: Request, form: URLSearchParams) => Promise<Response>

/** What the router needs from the app. */
export interface DashboardRouterOptions {
  app: Hono<AppEnvironment>
  clock: () => number
  clientAddress: (request: Request, env: unknown) => string
  sessionTtlSeconds: number
  logger?: Logger
}

/** Renders a page to HTML text. */
export function renderHtml(node: Child): string {
  return `<!doctype html>${String(node)}`
}

/** An HTML response with the dashboard's security headers. */
export function htmlResponse(node: Child, status = 200): Response {
  return withSecurityHeaders(
    new Response(renderHtml(node), {
      status,
      headers: { 'content-type': 'text/html; charset=utf-8' },
    }),
  )
}

/** A 303 to a same-origin path (after a form: the browser GETs it). */
export function seeOther(location: string): Response {
  return withSecurityHeaders(new Response(null, { status: 303, headers: { location } }))
}

/** A plain error page (signed in or not). */
export function errorPage(status: number, title: string, message: Child): Response {
  return htmlResponse(
    <Document title={title}>
      <div class="auth">
        <div class="auth-card">
          <h1>{title}</h1>
          <p class="lead">{message}</p>
          <Flash kind="error">{`HTTP ${status}`}</Flash>
          <a class="button" href="/">
            Back to the dashboard
          </a>
        </div>
      </div>
    </Document>,
    status,
  )
}

/** A path to return to after signing in: same-origin paths only (no `//host`, no `\`). */
export function safeNext(value: string | undefined | null): string {
  if (value === undefined || value === null) return '/'
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/'
  return value
}

/**
 * The dashboard's routing: wraps each handler with what every page needs — the security
 * headers, the session (from its HttpOnly cookie) checked through the API, the same-origin
 * and CSRF checks of every form, and error pages instead of JSON.
 */
export class DashboardRouter {
  readonly #options: DashboardRouterOptions
  readonly #fetch: AppFetch

  constructor(options: DashboardRouterOptions) {
    this.#options = options
    this.#fetch = (request, env) => options.app.fetch(request, env)
  }

  get sessionTtlSeconds(): number {
    return this.#options.sessionTtlSeconds
  }

  #request(context: Context<AppEnvironment>): DashboardRequest {
    const url = new URL(context.req.url)
    const origin = publicOrigin(url, (name) => context.req.header(name))
    const clientAddress = this.#options.clientAddress(context.req.raw, context.env)
    return {
      context,
      url,
      origin,
      https: isHttps(origin),
      clientAddress,
      now: this.#options.clock(),
      api: new DashboardApi({ fetch: this.#fetch, clientAddress }),
      query: (name) => context.req.query(name),
    }
  }

  /** The `Set-Cookie` value that stores a new session in the browser. */
  sessionCookie(request: DashboardRequest, token: string): string {
    return generateCookie(
      cookieNames(request.https).session,
      token,
      cookieAttributes(request.https, this.#options.sessionTtlSeconds),
    )
  }

  /** The `Set-Cookie` value that removes the session cookie. */
  clearedSessionCookie(request: DashboardRequest): string {
    return generateCookie(
      cookieNames(request.https).session,
      '',
      cookieAttributes(request.https, 0),
    )
  }

  /** The session token the browser sent, if any. */
  sessionToken(request: DashboardRequest): string | undefined {
    const value = getCookie(request.context, cookieNames(request.https).session)
    return value === undefined || value === '' ? undefined : value
  }

  async #guard(context: Context<AppEnvironment>, run: () => Promise<Response>): Promise<Response> {
    const response = await this.#answer(context, run)
    response.headers.set('x-request-id', context.get('requestId'))
    return response
  }

  async #answer(context: Context<AppEnvironment>, run: () => Promise<Response>): Promise<Response> {
    try {
      return await run()
    } catch (error) {
      if (error instanceof FormBodyError) {
        return errorPage(error.status, 'Form refused', error.message)
      }
      if (error instanceof DashboardApiError) {
        const { failure } = error
        return errorPage(
          failure.status,
          failure.status === 404 ? 'Not found' : 'Request refused',
          failure.message,
        )
      }
      const requestId = context.get('requestId')
      this.#options.logger?.error({ err: error, requestId }, 'dashboard page failed')
      return errorPage(500, 'Something went wrong', `Quote ${requestId} when reporting it.`)
    }
  }

  /** Loads the session's project; `undefined` when there is no usable session. */
  async #signIn(request: DashboardRequest): Promise<SignedInRequest | undefined> {
    const token = this.sessionToken(request)
    if (token === undefined) return undefined
    const api = request.api.withCredential(token)
    const result = await api.call<Project>('GET', '/v1/project')
    if (!result.ok && result.status === 401) return undefined
    const project = api.expect(result)
    return { ...request, api, sessionToken: token, csrf: csrfTokenFor(token), project }
  }

  /** Where a request without a session goes. */
  #toSignIn(request: DashboardRequest, hadCookie: boolean): Response {
    const fetchSite = request.context.req.header('sec-fetch-site')
    if (!hadCookie && request.context.req.method === 'GET' && fetchSite === 'cross-site') {
      // A link from another site: a SameSite=Strict cookie is not sent on that first
      // navigation. Reload once from this origin, which sends it; no cookie then means
      // signed out.
      return htmlResponse(
        <html lang="en">
          <head>
            <meta http-equiv="refresh" content="0" />
            <title>AgentBill</title>
          </head>
          <body />
        </html>,
      )
    }
    const next = `${request.url.pathname}${request.url.search}`
    const response = seeOther(
      next === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`,
    )
    if (hadCookie) response.headers.append('set-cookie', this.clearedSessionCookie(request))
    return response
  }

  #signedOut(request: DashboardRequest): Response {
    const response = seeOther('/sign-in?ended=1')
    response.headers.append('set-cookie', this.clearedSessionCookie(request))
    return response
  }

  /** A form sent from another site, or without this session's token. */
  static forgedForm(): Response {
    return errorPage(
      403,
      'Form refused',
      'This form did not come from this dashboard (another site, or a page from an older ' +
        'session). Reload the page and try again.',
    )
  }

  /** A signed-in GET page. */
  page(path: string, handler: Handler<SignedInRequest>): void {
    this.#options.app.get(path, (context) => {
      context.set('route', path)
      return this.#guard(context, async () => {
        const request = this.#request(context)
        const signedIn = await this.#signIn(request)
        if (signedIn === undefined) {
          return this.#toSignIn(request, this.sessionToken(request) !== undefined)
        }
        try {
          return await handler(signedIn)
        } catch (error) {
          if (error instanceof SessionEndedError) return this.#signedOut(request)
          throw error
        }
      })
    })
  }

  /** A signed-in GET answered with something else than a page (a CSV download). */
  download(path: string, handler: Handler<SignedInRequest>): void {
    this.page(path, handler)
  }

  /** A signed-in form post: same origin, this session's CSRF token, then the handler. */
  action(path: string, handler: FormHandler<SignedInRequest>): void {
    this.#options.app.post(path, (context) => {
      context.set('route', path)
      return this.#guard(context, async () => {
        const request = this.#request(context)
        if (!isSameOriginRequest(request.origin, (name) => context.req.header(name))) {
          return DashboardRouter.forgedForm()
        }
        const form = await readFormBody(context.req.raw)
        const token = this.sessionToken(request)
        if (
          token === undefined ||
          !sameSecret(csrfTokenFor(token), form.get('_csrf') ?? undefined)
        ) {
          return DashboardRouter.forgedForm()
        }
        const signedIn = await this.#signIn(request)
        if (signedIn === undefined) return this.#signedOut(request)
        try {
          return await handler(signedIn, form)
        } catch (error) {
          if (error instanceof SessionEndedError) return this.#signedOut(request)
          throw error
        }
      })
    })
  }

  /**
   * A signed-out page with a form (sign in, sign up). It sets the double-submit cookie the
   * form's token must match, since there is no session to derive one from.
   */
  publicPage(
    path: string,
    handler: (request: DashboardRequest, formToken: string) => Promise<Response>,
  ): void {
    this.#options.app.get(path, (context) => {
      context.set('route', path)
      return this.#guard(context, async () => {
        const request = this.#request(context)
        const { token, cookie } = this.formToken(request)
        const response = await handler(request, token)
        if (cookie !== undefined) response.headers.append('set-cookie', cookie)
        return response
      })
    })
  }

  /** The signed-out forms' token: the one in the browser's cookie, or a new one to set. */
  formToken(request: DashboardRequest): { token: string; cookie: string | undefined } {
    const name = cookieNames(request.https).csrf
    const existing = getCookie(request.context, name)
    if (existing !== undefined && existing.length >= 32)
      return { token: existing, cookie: undefined }
    const token = createFormToken()
    return {
      token,
      cookie: generateCookie(name, token, cookieAttributes(request.https, 60 * 60 * 24)),
    }
  }

  /** A signed-out form post: same origin and the double-submit token, then the handler. */
  publicAction(
    path: string,
    handler: (request: DashboardRequest, form: URLSearchParams) => Promise<Response>,
  ): void {
    this.#options.app.post(path, (context) => {
      context.set('route', path)
      return this.#guard(context, async () => {
        const request = this.#request(context)
        if (!isSameOriginRequest(request.origin, (name) => context.req.header(name))) {
          return DashboardRouter.forgedForm()
        }
        const form = await readFormBody(context.req.raw)
        const cookie = getCookie(context, cookieNames(request.https).csrf)
        if (!sameSecret(cookie, form.get('_csrf') ?? undefined)) return DashboardRouter.forgedForm()
        return handler(request, form)
      })
    })
  }

  /** A file served from memory, with long caching when its path is content-addressed. */
  asset(path: string, contentType: string, body: string, immutable: boolean): void {
    this.#options.app.get(path, (context) => {
      context.set('route', '/assets')
      return new Response(body, {
        headers: {
          'content-type': contentType,
          'cache-control': immutable
            ? 'public, max-age=31536000, immutable'
            : 'public, max-age=3600',
          'x-content-type-options': 'nosniff',
          'cross-origin-resource-policy': 'same-origin',
        },
      })
    })
  }
}
