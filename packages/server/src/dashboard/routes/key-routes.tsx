import type { ApiKey, CreatedApiKey, List } from '../../schemas/objects.js'
import type { Store } from '../../store/store.js'
import { CopyField } from '../components/copy-field.js'
import { CsrfField, Flash, Frame, PageHead } from '../components/layout.js'
import { type ApiFailure, pathSegment } from '../dashboard-api.js'
import {
  type DashboardRouter,
  htmlResponse,
  type SignedInRequest,
  seeOther,
} from '../dashboard-router.js'
import { formatTime } from '../format.js'
import { sessionKeyId } from '../sessions.js'

async function keysPage(
  request: SignedInRequest,
  store: Store,
  options: {
    created?: CreatedApiKey
    error?: ApiFailure
    values?: { name: string; scope: string }
  } = {},
): Promise<Response> {
  const [keys, currentKeyId] = await Promise.all([
    request.api.get<List<ApiKey>>('/v1/keys'),
    sessionKeyId(store, request.sessionToken),
  ])
  const revoked = request.query('revoked')
  const active = keys.data.filter((key) => key.revoked_at === null)
  const rows = [...active, ...keys.data.filter((key) => key.revoked_at !== null)]
  const { created, error } = options
  return htmlResponse(
    <Frame title="Keys" section="keys" projectName={request.project.name} csrf={request.csrf}>
      <PageHead
        title="API keys"
        sub="Runtime keys for agents (preflight, record, balance); admin keys for everything."
      />
      {revoked === undefined ? null : (
        <Flash kind="ok">Key revoked. It stopped working at once.</Flash>
      )}
      {error === undefined ? null : <Flash kind="error">{error.message}</Flash>}
      {created === undefined ? null : (
        <section class="secret-box" aria-labelledby="new-key">
          <h2 id="new-key">{`New ${created.scope} key “${created.name}”`}</h2>
          <p>Copy it now: it is shown once and cannot be recovered.</p>
          <CopyField id="new-key-value" value={created.key} label="Copy the new key" />
        </section>
      )}
      <section class="panel" aria-labelledby="create-key">
        <h2 id="create-key">Create a key</h2>
        <form class="stack" method="post" action="/keys">
          <CsrfField token={request.csrf} />
          <div class="fields">
            <label class="field">
              Name
              <input
                type="text"
                name="name"
                required
                maxlength={200}
                placeholder="e.g. production agents"
                value={options.values?.name ?? ''}
                aria-invalid={error?.param === 'name' ? 'true' : undefined}
              />
            </label>
            <label class="field">
              Scope
              <select name="scope">
                <option value="runtime" selected={options.values?.scope !== 'admin'}>
                  runtime — for agents
                </option>
                <option value="admin" selected={options.values?.scope === 'admin'}>
                  admin — management and this dashboard
                </option>
              </select>
            </label>
            <div>
              <button class="button button-primary" type="submit">
                Create key
              </button>
            </div>
          </div>
        </form>
      </section>
      <section class="panel" aria-labelledby="key-list">
        <h2 id="key-list">Keys</h2>
        <div class="table-scroll">
          <table class="data">
            <thead>
              <tr>
                <th>Name</th>
                <th>Scope</th>
                <th>Key</th>
                <th>Created (UTC)</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((key) => (
                <tr data-key-id={key.id}>
                  <td class="id">
                    {key.name}
                    {key.id === currentKeyId ? (
                      <>
                        {' '}
                        <span class="badge badge-accent">this session</span>
                      </>
                    ) : null}
                  </td>
                  <td>
                    <span class={key.scope === 'admin' ? 'badge badge-warn' : 'badge'}>
                      {key.scope}
                    </span>
                  </td>
                  <td class="mono nowrap">{`${key.prefix}…${key.last4}`}</td>
                  <td class="nowrap">{formatTime(key.created_at)}</td>
                  <td>
                    {key.revoked_at === null ? (
                      <span class="badge badge-ok">Active</span>
                    ) : (
                      <span class="badge badge-danger">{`Revoked ${formatTime(key.revoked_at)}`}</span>
                    )}
                  </td>
                  <td>
                    {key.revoked_at === null ? (
                      <details class="confirm">
                        <summary class="button button-small button-danger">Revoke…</summary>
                        <form class="confirm-box" method="post" action="/keys/revoke">
                          <CsrfField token={request.csrf} />
                          <input type="hidden" name="id" value={key.id} />
                          <span class="hint">
                            {key.id === currentKeyId
                              ? 'This signs you out too.'
                              : 'Anything using it stops at once.'}
                          </span>
                          <button class="button button-small button-danger-solid" type="submit">
                            Revoke now
                          </button>
                        </form>
                      </details>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </Frame>,
    created !== undefined ? 201 : error === undefined ? 200 : error.status,
  )
}

/** Keys: create (runtime or admin, the secret shown once), list (prefix and last four), revoke. */
export function registerKeyRoutes(router: DashboardRouter, store: Store): void {
  router.page('/keys', (request) => keysPage(request, store))

  router.action('/keys', async (request, form) => {
    const values = { name: form.get('name') ?? '', scope: form.get('scope') ?? 'runtime' }
    const result = await request.api.call<CreatedApiKey>('POST', '/v1/keys', { body: values })
    if (!result.ok) {
      if (result.status === 401 || result.status >= 500) request.api.expect(result)
      return keysPage(request, store, { error: result.error, values })
    }
    return keysPage(request, store, { created: result.body })
  })

  router.action('/keys/revoke', async (request, form) => {
    const id = form.get('id') ?? ''
    const result = await request.api.call<ApiKey>('DELETE', `/v1/keys/${pathSegment(id)}`)
    if (!result.ok) {
      if (result.status === 401 || result.status >= 500) request.api.expect(result)
      return keysPage(request, store, { error: result.error })
    }
    return seeOther(`/keys?revoked=${encodeURIComponent(id)}`)
  })
}
