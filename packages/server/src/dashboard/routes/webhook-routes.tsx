import type {
  CreatedWebhookEndpoint,
  List,
  WebhookDelivery,
  WebhookEndpoint,
} from '../../schemas/objects.js'
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/webhook-event-types.js'
import { CopyField } from '../components/copy-field.js'
import { CsrfField, Flash, Frame, PageHead } from '../components/layout.js'
import { Pager } from '../components/pager.js'
import { type ApiFailure, pathSegment } from '../dashboard-api.js'
import {
  type DashboardRouter,
  htmlResponse,
  type SignedInRequest,
  seeOther,
} from '../dashboard-router.js'
import { formatTime } from '../format.js'
import { href } from '../links.js'

const PAGE_SIZE = 25
const STATUSES = ['pending', 'succeeded', 'failed', 'cancelled'] as const

/** An endpoint's page takes its id as a query parameter (as customers and runs do). */
export const webhookHref = (id: string, query: Record<string, string | undefined> = {}) =>
  href('/webhook', { id, ...query })

/** What the create form holds, as typed. */
interface EndpointForm {
  url: string
  events: string[]
  thresholds: string
  description: string
}

const emptyForm: EndpointForm = { url: '', events: ['*'], thresholds: '80, 100', description: '' }

/** "80, 100" → [80, 100]; anything that is not a whole number is passed on for the API to name. */
function parseThresholds(text: string): Array<number | string> | undefined {
  const parts = text
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter((part) => part !== '')
  if (parts.length === 0) return undefined
  return parts.map((part) => (/^\d{1,4}$/.test(part) ? Number(part) : part))
}

function statusBadge(status: WebhookDelivery['status']) {
  const kind =
    status === 'succeeded'
      ? 'badge badge-ok'
      : status === 'failed'
        ? 'badge badge-danger'
        : status === 'pending'
          ? 'badge badge-warn'
          : 'badge'
  return <span class={kind}>{status}</span>
}

function EventList(props: { events: string[] }) {
  return (
    <span class="actions">
      {props.events.map((event) => (
        <span class="badge">{event === '*' ? 'all events' : event}</span>
      ))}
    </span>
  )
}

async function webhooksPage(
  request: SignedInRequest,
  options: { created?: CreatedWebhookEndpoint; error?: ApiFailure; values?: EndpointForm } = {},
): Promise<Response> {
  const endpoints = await request.api.get<List<WebhookEndpoint>>('/v1/webhooks')
  const { created, error } = options
  const values = options.values ?? emptyForm
  const invalid = (param: string) =>
    error?.param === param || error?.param?.startsWith(`${param}.`) === true ? 'true' : undefined
  return htmlResponse(
    <Frame
      title="Webhooks"
      section="webhooks"
      projectName={request.project.name}
      csrf={request.csrf}
    >
      <PageHead
        title="Webhooks"
        sub="Your product hears about low budgets, blocked runs, expired holds and top-ups as they happen: signed POSTs, retried for about a day."
      />
      {request.query('deleted') === undefined ? null : (
        <Flash kind="ok">Endpoint deleted. Nothing more is sent there.</Flash>
      )}
      {error === undefined ? null : <Flash kind="error">{error.message}</Flash>}
      {created === undefined ? null : (
        <section class="secret-box" aria-labelledby="new-secret">
          <h2 id="new-secret">New endpoint: its signing secret</h2>
          <p>
            Copy it now: it is shown once. Check every delivery with it (
            <span class="mono">verifyWebhook</span> in the <span class="mono">agentbill</span>{' '}
            client).
          </p>
          <CopyField id="new-secret-value" value={created.secret} label="Copy the signing secret" />
          <p class="hint">
            Sending to <span class="mono">{created.url}</span>.{' '}
            <a href={webhookHref(created.id)}>Delivery log</a>
          </p>
        </section>
      )}
      <section class="panel" aria-labelledby="add-endpoint">
        <h2 id="add-endpoint">Add an endpoint</h2>
        <form class="stack" method="post" action="/webhooks">
          <CsrfField token={request.csrf} />
          <label class="field">
            <span>
              URL{' '}
              <span class="hint">
                (http or https; private and loopback addresses only when the server allows them)
              </span>
            </span>
            <input
              type="text"
              inputmode="url"
              name="url"
              required
              maxlength={2000}
              placeholder="https://example.com/agentbill/webhooks"
              value={values.url}
              aria-invalid={invalid('url')}
            />
          </label>
          <fieldset class="checks" aria-invalid={invalid('events')}>
            <legend>Events</legend>
            <label class="check">
              <input
                type="checkbox"
                name="events"
                value="*"
                checked={values.events.includes('*')}
              />
              All events, including ones added later
            </label>
            {WEBHOOK_EVENT_TYPES.map((type) => (
              <label class="check">
                <input
                  type="checkbox"
                  name="events"
                  value={type}
                  checked={values.events.includes(type)}
                />
                <span class="mono">{type}</span>
              </label>
            ))}
          </fieldset>
          <div class="fields">
            <label class="field">
              <span>
                Budget thresholds, % <span class="hint">(of a customer's grant; 1–1000)</span>
              </span>
              <input
                type="text"
                name="thresholds"
                value={values.thresholds}
                aria-invalid={invalid('thresholds')}
              />
            </label>
            <label class="field">
              <span>
                Description <span class="hint">(optional)</span>
              </span>
              <input
                type="text"
                name="description"
                maxlength={500}
                value={values.description}
                aria-invalid={invalid('description')}
              />
            </label>
            <div>
              <button class="button button-primary" type="submit">
                Add endpoint
              </button>
            </div>
          </div>
        </form>
      </section>
      <section class="panel" aria-labelledby="endpoint-list">
        <h2 id="endpoint-list">Endpoints</h2>
        {endpoints.data.length === 0 ? (
          <p class="empty">No endpoint yet.</p>
        ) : (
          <div class="table-scroll">
            <table class="data">
              <thead>
                <tr>
                  <th>URL</th>
                  <th>Events</th>
                  <th>Thresholds</th>
                  <th>Created (UTC)</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {endpoints.data.map((endpoint) => (
                  <tr data-endpoint-id={endpoint.id}>
                    <td class="id">
                      <a href={webhookHref(endpoint.id)}>{endpoint.url}</a>
                      {endpoint.description === null ? null : (
                        <div class="hint">{endpoint.description}</div>
                      )}
                    </td>
                    <td>
                      <EventList events={endpoint.events} />
                    </td>
                    <td class="nowrap">
                      {endpoint.thresholds.map((value) => `${value}%`).join(', ')}
                    </td>
                    <td class="nowrap">{formatTime(endpoint.created_at)}</td>
                    <td>
                      <span class="actions">
                        <a class="button button-small" href={webhookHref(endpoint.id)}>
                          Delivery log
                        </a>
                        <details class="confirm">
                          <summary class="button button-small button-danger">Delete…</summary>
                          <form class="confirm-box" method="post" action="/webhooks/delete">
                            <CsrfField token={request.csrf} />
                            <input type="hidden" name="id" value={endpoint.id} />
                            <span class="hint">Pending deliveries are cancelled.</span>
                            <button class="button button-small button-danger-solid" type="submit">
                              Delete now
                            </button>
                          </form>
                        </details>
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Frame>,
    created !== undefined ? 201 : error === undefined ? 200 : error.status,
  )
}

function DeliveryRow(props: {
  delivery: WebhookDelivery
  endpointId: string
  csrf: string
  canResend: boolean
}) {
  const { delivery } = props
  return (
    <tr data-delivery-id={delivery.id}>
      <td class="nowrap">{formatTime(delivery.created_at)}</td>
      <td>
        <span class="mono">{delivery.event.type}</span>
        <details class="attempts">
          <summary class="hint">{`${delivery.event.id} · details`}</summary>
          <table class="data">
            <thead>
              <tr>
                <th class="num">#</th>
                <th>Started (UTC)</th>
                <th class="num">ms</th>
                <th class="num">Response</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {delivery.attempt_log.map((attempt) => (
                <tr>
                  <td class="num">{String(attempt.attempt)}</td>
                  <td class="nowrap">{formatTime(attempt.started_at)}</td>
                  <td class="num">{String(attempt.duration_ms)}</td>
                  <td class="num">
                    {attempt.response_status === null ? '—' : String(attempt.response_status)}
                  </td>
                  <td class="meta">{attempt.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <pre class="code">
            <code>{JSON.stringify(delivery.event, null, 2)}</code>
          </pre>
        </details>
      </td>
      <td>{statusBadge(delivery.status)}</td>
      <td class="num">{`${delivery.attempts} / ${delivery.max_attempts}`}</td>
      <td class="num">
        {delivery.last_response_status === null ? '—' : String(delivery.last_response_status)}
      </td>
      <td class="meta">{delivery.last_error ?? ''}</td>
      <td class="nowrap">
        {delivery.status === 'pending' ? formatTime(delivery.next_attempt_at) : '—'}
      </td>
      <td>
        {props.canResend ? (
          <form method="post" action="/webhooks/resend">
            <CsrfField token={props.csrf} />
            <input type="hidden" name="id" value={props.endpointId} />
            <input type="hidden" name="delivery_id" value={delivery.id} />
            <button class="button button-small" type="submit">
              Resend
            </button>
          </form>
        ) : null}
      </td>
    </tr>
  )
}

async function endpointPage(
  request: SignedInRequest,
  id: string,
  error?: ApiFailure,
): Promise<Response> {
  const statusQuery = request.query('status')
  const status = STATUSES.find((value) => value === statusQuery)
  const after = request.query('after')
  const [endpoint, deliveries] = await Promise.all([
    request.api.get<WebhookEndpoint>(`/v1/webhooks/${pathSegment(id)}`),
    request.api.get<List<WebhookDelivery>>(`/v1/webhooks/${pathSegment(id)}/deliveries`, {
      limit: PAGE_SIZE,
      status,
      starting_after: after,
    }),
  ])
  const deleted = endpoint.deleted_at !== null
  return htmlResponse(
    <Frame
      title="Webhook endpoint"
      section="webhooks"
      projectName={request.project.name}
      csrf={request.csrf}
    >
      <PageHead
        title="Delivery log"
        sub={
          <>
            <span class="mono">{endpoint.url}</span>
            {deleted ? ` · deleted ${formatTime(endpoint.deleted_at)} UTC` : null}
          </>
        }
      >
        <a class="button" href="/webhooks">
          All endpoints
        </a>
      </PageHead>
      {request.query('resent') === undefined ? null : (
        <Flash kind="ok">Queued: the delivery is attempted again now.</Flash>
      )}
      {error === undefined ? null : <Flash kind="error">{error.message}</Flash>}
      <section class="panel">
        <div class="panel-head">
          <EventList events={endpoint.events} />
          <nav class="segmented" aria-label="Status">
            <a
              href={webhookHref(endpoint.id)}
              aria-current={status === undefined ? 'true' : undefined}
            >
              All
            </a>
            {STATUSES.map((value) => (
              <a
                href={webhookHref(endpoint.id, { status: value })}
                aria-current={status === value ? 'true' : undefined}
              >
                {value}
              </a>
            ))}
          </nav>
        </div>
        {deliveries.data.length === 0 ? (
          <p class="empty">No delivery yet.</p>
        ) : (
          <div class="table-scroll">
            <table class="data">
              <thead>
                <tr>
                  <th>Queued (UTC)</th>
                  <th>Event</th>
                  <th>Status</th>
                  <th class="num">Attempts</th>
                  <th class="num">Response</th>
                  <th>Last error</th>
                  <th>Next attempt (UTC)</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {deliveries.data.map((delivery) => (
                  <DeliveryRow
                    delivery={delivery}
                    endpointId={endpoint.id}
                    csrf={request.csrf}
                    canResend={!deleted && delivery.status !== 'cancelled'}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager
          path="/webhook"
          query={{ id: endpoint.id, status }}
          next={deliveries.has_more ? (deliveries.data.at(-1)?.id ?? null) : null}
          paged={after !== undefined}
        />
      </section>
    </Frame>,
    error === undefined ? 200 : error.status,
  )
}

/** Webhooks: endpoints (create with the secret shown once, delete) and each one's delivery log. */
export function registerWebhookRoutes(router: DashboardRouter): void {
  router.page('/webhooks', (request) => webhooksPage(request))
  router.page('/webhook', (request) => endpointPage(request, request.query('id') ?? ''))

  router.action('/webhooks', async (request, form) => {
    const values: EndpointForm = {
      url: (form.get('url') ?? '').trim(),
      events: form.getAll('events'),
      thresholds: form.get('thresholds') ?? '',
      description: (form.get('description') ?? '').trim(),
    }
    const thresholds = parseThresholds(values.thresholds)
    const result = await request.api.call<CreatedWebhookEndpoint>('POST', '/v1/webhooks', {
      body: {
        url: values.url,
        events: values.events,
        ...(thresholds === undefined ? {} : { thresholds }),
        ...(values.description === '' ? {} : { description: values.description }),
      },
    })
    if (!result.ok) {
      if (result.status === 401 || result.status >= 500) request.api.expect(result)
      return webhooksPage(request, { error: result.error, values })
    }
    return webhooksPage(request, { created: result.body })
  })

  router.action('/webhooks/delete', async (request, form) => {
    const id = form.get('id') ?? ''
    const result = await request.api.call<WebhookEndpoint>(
      'DELETE',
      `/v1/webhooks/${pathSegment(id)}`,
    )
    if (!result.ok) {
      if (result.status === 401 || result.status >= 500) request.api.expect(result)
      return webhooksPage(request, { error: result.error })
    }
    return seeOther('/webhooks?deleted=1')
  })

  router.action('/webhooks/resend', async (request, form) => {
    const id = form.get('id') ?? ''
    const deliveryId = form.get('delivery_id') ?? ''
    const result = await request.api.call<WebhookDelivery>(
      'POST',
      `/v1/webhooks/${pathSegment(id)}/deliveries/${pathSegment(deliveryId)}/resend`,
    )
    if (!result.ok) {
      if (result.status === 401 || result.status >= 500) request.api.expect(result)
      return endpointPage(request, id, result.error)
    }
    return seeOther(webhookHref(id, { resent: '1' }))
  })
}
