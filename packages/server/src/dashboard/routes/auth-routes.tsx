import type { Child } from 'hono/jsx'
import { RateLimiter, type RateLimiterOptions } from '../../http/rate-limiter.js'
import type { RegisterResponse } from '../../schemas/objects.js'
import type { Store } from '../../store/store.js'
import { CopyField } from '../components/copy-field.js'
import { CsrfField, Document, Flash, Logo } from '../components/layout.js'
import {
  type DashboardRequest,
  type DashboardRouter,
  errorPage,
  htmlResponse,
  safeNext,
  seeOther,
} from '../dashboard-router.js'
import { createSession, deleteSession } from '../sessions.js'

function AuthCard(props: { title: string; lead: Child; children: Child }) {
  return (
    <Document title={props.title}>
      <main class="auth">
        <div class="auth-card">
          <a class="brand" href="/">
            <Logo />
            <span>AgentBill</span>
          </a>
          <h1>{props.title}</h1>
          <p class="lead">{props.lead}</p>
          {props.children}
        </div>
      </main>
    </Document>
  )
}

function SignInPage(props: {
  formToken: string
  next: string
  notice?: string | undefined
  error?: string | undefined
}) {
  return (
    <AuthCard title="Sign in" lead="Sign in with an admin key of your project (agb_…).">
      {props.notice === undefined ? null : <Flash kind="ok">{props.notice}</Flash>}
      {props.error === undefined ? null : <Flash kind="error">{props.error}</Flash>}
      <form class="stack" method="post" action="/sign-in">
        <CsrfField token={props.formToken} />
        <input type="hidden" name="next" value={props.next} />
        <label class="field">
          Admin key
          <input
            type="password"
            name="key"
            autocomplete="current-password"
            placeholder="agb_…"
            required
            aria-invalid={props.error === undefined ? undefined : 'true'}
          />
        </label>
        <button class="button button-primary" type="submit">
          Sign in
        </button>
      </form>
      <p class="switch">
        No project yet? <a href="/sign-up">Create one</a>
      </p>
    </AuthCard>
  )
}

function SignUpPage(props: {
  formToken: string
  projectName?: string
  email?: string
  error?: { message: string; param: string | null } | undefined
}) {
  const invalid = (param: string) => (props.error?.param === param ? 'true' : undefined)
  return (
    <AuthCard
      title="Create a project"
      lead="A project holds your customers, agents and keys. You get its first admin key."
    >
      {props.error === undefined ? null : <Flash kind="error">{props.error.message}</Flash>}
      <form class="stack" method="post" action="/sign-up">
        <CsrfField token={props.formToken} />
        <label class="field">
          Project name
          <input
            type="text"
            name="project_name"
            value={props.projectName ?? ''}
            required
            maxlength={200}
            aria-invalid={invalid('project_name')}
          />
        </label>
        <label class="field">
          <span>
            Email <span class="hint">(optional, for the operator)</span>
          </span>
          <input
            type="email"
            name="email"
            value={props.email ?? ''}
            aria-invalid={invalid('email')}
          />
        </label>
        <button class="button button-primary" type="submit">
          Create project
        </button>
      </form>
      <p class="switch">
        Have a key? <a href="/sign-in">Sign in</a>
      </p>
    </AuthCard>
  )
}

function NewProjectPage(props: { projectName: string; projectId: string; adminKey: string }) {
  return (
    <AuthCard
      title="Your admin key"
      lead={
        <>
          Project <strong>{props.projectName}</strong> <span class="mono">{props.projectId}</span>{' '}
          is ready. This is its admin key:
        </>
      }
    >
      <div class="secret-box">
        <CopyField id="new-admin-key" value={props.adminKey} label="Copy the admin key" />
      </div>
      <Flash kind="error">
        It is shown once and cannot be recovered: store it in your password manager or secret store
        now. Use it to sign in here; give agents a runtime key (Keys).
      </Flash>
      <a class="button button-primary" href="/">
        I have saved it — open the dashboard
      </a>
    </AuthCard>
  )
}

/** What the sign-in routes need. */
export interface AuthRoutesOptions {
  store: Store
  signInRateLimit?: RateLimiterOptions | undefined
}

/**
 * Sign in (an admin key → a session cookie; attempts limited per client address), sign up
 * (a project through `POST /v1/register`, its admin key shown once, signed in at once), and
 * sign out (the session deleted, so its token stops working everywhere).
 */
export function registerAuthRoutes(router: DashboardRouter, options: AuthRoutesOptions): void {
  const limiter = new RateLimiter(options.signInRateLimit ?? { max: 10, windowSeconds: 60 })
  const notices: Record<string, string> = {
    ended: 'Your session ended (signed out elsewhere, expired, or its key was revoked).',
    signed_out: 'Signed out.',
  }

  const signedIn = async (request: DashboardRequest) => {
    const token = router.sessionToken(request)
    if (token === undefined) return false
    const result = await request.api.withCredential(token).call('GET', '/v1/project')
    return result.ok
  }

  router.publicPage('/sign-in', async (request, formToken) => {
    const next = safeNext(request.query('next'))
    if (await signedIn(request)) return seeOther(next)
    const notice = Object.keys(notices).find((name) => request.query(name) !== undefined)
    return htmlResponse(
      <SignInPage
        formToken={formToken}
        next={next}
        notice={notice === undefined ? undefined : notices[notice]}
      />,
    )
  })

  router.publicAction('/sign-in', async (request, form) => {
    const formToken = form.get('_csrf') ?? ''
    const next = safeNext(form.get('next'))
    const retryAfter = limiter.take(request.clientAddress, request.now)
    if (retryAfter > 0) {
      const response = htmlResponse(
        <SignInPage
          formToken={formToken}
          next={next}
          error={`Too many sign-in attempts from this address. Try again in ${retryAfter} s.`}
        />,
        429,
      )
      response.headers.set('retry-after', String(retryAfter))
      return response
    }
    const key = (form.get('key') ?? '').trim()
    if (key === '') {
      return htmlResponse(
        <SignInPage formToken={formToken} next={next} error="Enter an admin key." />,
        400,
      )
    }
    const result = await createSession(options.store, key, request.now, router.sessionTtlSeconds)
    if ('refused' in result) {
      const message =
        result.refused === 'not_admin'
          ? 'That is a runtime key. The dashboard needs an admin key.'
          : 'Unknown or revoked key.'
      return htmlResponse(
        <SignInPage formToken={formToken} next={next} error={message} />,
        result.refused === 'not_admin' ? 403 : 401,
      )
    }
    const response = seeOther(next)
    response.headers.append('set-cookie', router.sessionCookie(request, result.token))
    return response
  })

  router.publicPage('/sign-up', async (_request, formToken) =>
    htmlResponse(<SignUpPage formToken={formToken} />),
  )

  router.publicAction('/sign-up', async (request, form) => {
    const formToken = form.get('_csrf') ?? ''
    const projectName = form.get('project_name') ?? ''
    const email = (form.get('email') ?? '').trim()
    const result = await request.api.call<RegisterResponse>('POST', '/v1/register', {
      body: { project_name: projectName, ...(email === '' ? {} : { email }) },
    })
    if (!result.ok) {
      if (result.status >= 500) {
        return errorPage(result.status, 'Could not create the project', result.error.message)
      }
      const response = htmlResponse(
        <SignUpPage
          formToken={formToken}
          projectName={projectName}
          email={email}
          error={{
            message: result.error.message.replace(/^Invalid field /, ''),
            param: result.error.param,
          }}
        />,
        result.status,
      )
      if (result.error.retryAfterSeconds !== null) {
        response.headers.set('retry-after', String(result.error.retryAfterSeconds))
      }
      return response
    }
    const { project, key } = result.body
    const session = await createSession(options.store, key, request.now, router.sessionTtlSeconds)
    const response = htmlResponse(
      <NewProjectPage projectName={project.name} projectId={project.id} adminKey={key} />,
      201,
    )
    if ('token' in session) {
      response.headers.append('set-cookie', router.sessionCookie(request, session.token))
    }
    return response
  })

  router.action('/sign-out', async (request) => {
    await deleteSession(options.store, request.sessionToken)
    const response = seeOther('/sign-in?signed_out=1')
    response.headers.append('set-cookie', router.clearedSessionCookie(request))
    return response
  })
}
