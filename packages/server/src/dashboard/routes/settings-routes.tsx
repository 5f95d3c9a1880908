import type { Project } from '../../schemas/objects.js'
import { CodeSnippet, CopyField } from '../components/copy-field.js'
import { CsrfField, Flash, Frame, PageHead } from '../components/layout.js'
import type { ApiFailure } from '../dashboard-api.js'
import {
  type DashboardRouter,
  htmlResponse,
  type SignedInRequest,
  seeOther,
} from '../dashboard-router.js'
import { formatTime } from '../format.js'
import { quickStartSnippets } from '../quick-start-snippets.js'
import { formNumber } from './customer-routes.js'

function settingsPage(
  request: SignedInRequest,
  state?: { error: ApiFailure; values: Record<string, string> },
): Response {
  const project = request.project
  const value = (name: string, fallback: string) => state?.values[name] ?? fallback
  const invalid = (param: string) => (state?.error.param === param ? 'true' : undefined)
  return htmlResponse(
    <Frame title="Settings" section="settings" projectName={project.name} csrf={request.csrf}>
      <PageHead
        title="Settings"
        sub={
          <>
            Project <span class="mono">{project.id}</span>, created {formatTime(project.created_at)}{' '}
            UTC
          </>
        }
      />
      {request.query('saved') === undefined ? null : <Flash kind="ok">Settings saved.</Flash>}
      {state === undefined ? null : <Flash kind="error">{state.error.message}</Flash>}
      <section class="panel">
        <form class="stack" method="post" action="/settings">
          <CsrfField token={request.csrf} />
          <label class="field">
            Project name
            <input
              type="text"
              name="name"
              required
              maxlength={200}
              value={value('name', project.name)}
              aria-invalid={invalid('name')}
            />
          </label>
          <label class="field">
            <span>
              Free units per new customer{' '}
              <span class="hint">(customers already seen keep theirs)</span>
            </span>
            <input
              type="text"
              inputmode="numeric"
              name="free_units"
              required
              value={value('free_units', String(project.free_units))}
              aria-invalid={invalid('free_units')}
            />
          </label>
          <label class="field">
            <span>
              Upgrade URL{' '}
              <span class="hint">
                (sent with blocked preflights; {'{customer_id}'} is replaced; empty for none)
              </span>
            </span>
            <input
              type="text"
              inputmode="url"
              name="upgrade_url"
              placeholder="https://example.com/billing?customer={customer_id}"
              value={value('upgrade_url', project.upgrade_url ?? '')}
              aria-invalid={invalid('upgrade_url')}
            />
          </label>
          <label class="field">
            <span>
              Reservation TTL, seconds{' '}
              <span class="hint">(how long a hold lasts if a run never records; 1–86400)</span>
            </span>
            <input
              type="text"
              inputmode="numeric"
              name="default_ttl_seconds"
              required
              value={value('default_ttl_seconds', String(project.default_ttl_seconds))}
              aria-invalid={invalid('default_ttl_seconds')}
            />
          </label>
          <div class="actions">
            <button class="button button-primary" type="submit">
              Save settings
            </button>
          </div>
        </form>
      </section>
    </Frame>,
    state === undefined ? 200 : state.error.status,
  )
}

/** Project settings (free units, upgrade URL, reservation TTL) and the quick start. */
export function registerSettingsRoutes(router: DashboardRouter): void {
  router.page('/settings', async (request) => settingsPage(request))

  router.action('/settings', async (request, form) => {
    const values = {
      name: form.get('name') ?? '',
      free_units: form.get('free_units') ?? '',
      upgrade_url: (form.get('upgrade_url') ?? '').trim(),
      default_ttl_seconds: form.get('default_ttl_seconds') ?? '',
    }
    const result = await request.api.call<Project>('PATCH', '/v1/project', {
      body: {
        name: values.name,
        free_units: formNumber(values.free_units),
        upgrade_url: values.upgrade_url === '' ? null : values.upgrade_url,
        default_ttl_seconds: formNumber(values.default_ttl_seconds),
      },
    })
    if (!result.ok) {
      if (result.status === 401 || result.status >= 500) request.api.expect(result)
      return settingsPage(request, { error: result.error, values })
    }
    return seeOther('/settings?saved=1')
  })

  router.page('/quick-start', async (request) => {
    const baseUrl = request.origin
    return htmlResponse(
      <Frame
        title="Quick start"
        section="quick-start"
        projectName={request.project.name}
        csrf={request.csrf}
      >
        <PageHead
          title="Quick start"
          sub="Gate your agents' model calls with a preflight before, and a record after."
        />
        <section class="panel" aria-labelledby="base-url">
          <h2 id="base-url">This server</h2>
          <CopyField id="base-url-value" value={baseUrl} label="Copy the base URL" />
          <p class="hint">
            Give agents a <a href="/keys">runtime key</a>: it can preflight, record and read
            balances, nothing else. API reference: <a href="/docs">/docs</a> (
            <a href="/openapi.json">OpenAPI</a>).
          </p>
        </section>
        <section class="panel">
          {quickStartSnippets(baseUrl).map((snippet) => (
            <CodeSnippet id={snippet.id} title={snippet.title} code={snippet.code} />
          ))}
        </section>
      </Frame>,
    )
  })
}
