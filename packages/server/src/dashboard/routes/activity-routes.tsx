import type { Decision, Event, List } from '../../schemas/objects.js'
import { DecisionsTable, EventsTable } from '../components/activity-tables.js'
import { Flash, Frame, PageHead } from '../components/layout.js'
import { Pager } from '../components/pager.js'
import { csvRow } from '../csv.js'
import type { DashboardApi, QueryValues } from '../dashboard-api.js'
import {
  type DashboardRouter,
  errorPage,
  htmlResponse,
  type SignedInRequest,
} from '../dashboard-router.js'
import { utcDay } from '../date-range.js'
import { href, type LinkQuery } from '../links.js'
import { withSecurityHeaders } from '../security-headers.js'

const PAGE_SIZE = 50
const EXPORT_PAGE_SIZE = 200
const datePattern = /^\d{4}-\d{2}-\d{2}$/

/** The filters of the events and decisions pages, as typed in their forms. */
interface Filters {
  customer_id: string
  agent_id: string
  run_id: string
  from: string
  to: string
  /** Decisions only: `blocked` (default), `approved` or `all`. */
  outcome: string
}

function readFilters(request: SignedInRequest): Filters {
  const value = (name: string) => (request.query(name) ?? '').trim()
  const outcome = value('outcome')
  return {
    customer_id: value('customer_id'),
    agent_id: value('agent_id'),
    run_id: value('run_id'),
    from: value('from'),
    to: value('to'),
    outcome: outcome === 'approved' || outcome === 'all' ? outcome : 'blocked',
  }
}

function isDay(value: string): boolean {
  return datePattern.test(value) && utcDay(Date.parse(`${value}T00:00:00Z`) || 0) === value
}

/** The API query of the filters (dates are whole UTC days, `to` inclusive), or what is wrong. */
export function filterQuery(
  filters: Filters,
  kind: 'events' | 'decisions',
): { query: QueryValues } | { error: string } {
  if (filters.from !== '' && !isDay(filters.from))
    return { error: 'From must be a date (YYYY-MM-DD).' }
  if (filters.to !== '' && !isDay(filters.to)) return { error: 'To must be a date (YYYY-MM-DD).' }
  const query: QueryValues = {
    customer_id: filters.customer_id,
    agent_id: filters.agent_id,
    run_id: filters.run_id,
    since: filters.from,
    until: filters.to === '' ? '' : utcDay(Date.parse(`${filters.to}T00:00:00Z`) + 86_400_000),
  }
  if (kind === 'decisions' && filters.outcome !== 'all') {
    query.approved = filters.outcome === 'approved' ? 'true' : 'false'
  }
  return { query }
}

function linkQuery(filters: Filters, kind: 'events' | 'decisions'): LinkQuery {
  const { outcome, ...rest } = filters
  return kind === 'decisions' && outcome !== 'blocked' ? { ...rest, outcome } : rest
}

function FilterForm(props: { path: string; filters: Filters; kind: 'events' | 'decisions' }) {
  const { filters } = props
  return (
    <form class="panel filters" method="get" action={props.path}>
      <div class="fields">
        {props.kind === 'decisions' ? (
          <label class="field">
            Outcome
            <select name="outcome">
              <option value="blocked" selected={filters.outcome === 'blocked'}>
                Blocked
              </option>
              <option value="approved" selected={filters.outcome === 'approved'}>
                Approved
              </option>
              <option value="all" selected={filters.outcome === 'all'}>
                All
              </option>
            </select>
          </label>
        ) : null}
        <label class="field">
          Customer
          <input type="text" name="customer_id" value={filters.customer_id} />
        </label>
        <label class="field">
          Agent
          <input type="text" name="agent_id" value={filters.agent_id} />
        </label>
        <label class="field">
          Run
          <input type="text" name="run_id" value={filters.run_id} />
        </label>
        <label class="field">
          From (UTC)
          <input type="date" name="from" value={filters.from} />
        </label>
        <label class="field">
          To (UTC, inclusive)
          <input type="date" name="to" value={filters.to} />
        </label>
      </div>
      <div class="actions">
        <button class="button button-primary" type="submit">
          Filter
        </button>
        <a class="button" href={props.path}>
          Reset
        </a>
      </div>
    </form>
  )
}

/** Streams every page of a list as CSV (the first page already fetched, to fail early). */
function csvStream<Item>(
  api: DashboardApi,
  path: string,
  query: QueryValues,
  first: List<Item>,
  header: string[],
  row: (item: Item) => (string | number | boolean | null)[],
  cursor: (item: Item) => string,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let page: List<Item> | undefined = first
  let started = false
  return new ReadableStream({
    async pull(controller) {
      if (!started) {
        started = true
        // A byte order mark, so spreadsheets read the file as UTF-8.
        controller.enqueue(encoder.encode(`\ufeff${csvRow(header)}`))
      }
      if (page === undefined) {
        controller.close()
        return
      }
      controller.enqueue(encoder.encode(page.data.map((item) => csvRow(row(item))).join('')))
      const last = page.data.at(-1)
      page =
        page.has_more && last !== undefined
          ? await api.get<List<Item>>(path, {
              ...query,
              limit: EXPORT_PAGE_SIZE,
              starting_after: cursor(last),
            })
          : undefined
    },
  })
}

function csvResponse(stream: ReadableStream<Uint8Array>, name: string, now: number): Response {
  return withSecurityHeaders(
    new Response(stream, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="agentbill-${name}-${utcDay(now)}.csv"`,
      },
    }),
  )
}

/** Events and decisions: filterable, paginated tables, and their CSV exports. */
export function registerActivityRoutes(router: DashboardRouter, refreshSeconds: number): void {
  const tablePage = (kind: 'events' | 'decisions') => async (request: SignedInRequest) => {
    const filters = readFilters(request)
    const after = request.query('after')
    const built = filterQuery(filters, kind)
    const path = kind === 'events' ? '/events' : '/decisions'
    let error = 'error' in built ? built.error : undefined
    let list: List<Event> | List<Decision> | undefined
    if ('query' in built) {
      const result = await request.api.call<List<Event> | List<Decision>>('GET', `/v1/${kind}`, {
        query: { ...built.query, limit: PAGE_SIZE, starting_after: after },
      })
      if (result.ok) list = result.body
      else if (result.status === 400) error = result.error.message
      else request.api.expect(result)
    }
    const last = list?.data.at(-1)
    const title = kind === 'events' ? 'Events' : 'Decisions'
    const heading =
      kind === 'events'
        ? 'Events'
        : filters.outcome === 'blocked'
          ? 'Blocked preflights'
          : filters.outcome === 'approved'
            ? 'Approved preflights'
            : 'Preflight decisions'
    const query = linkQuery(filters, kind)
    return htmlResponse(
      <Frame
        title={title}
        section={kind}
        projectName={request.project.name}
        csrf={request.csrf}
        refreshSeconds={after === undefined ? refreshSeconds : 0}
      >
        <PageHead
          title={heading}
          sub={kind === 'events' ? 'Recorded usage, newest first.' : 'Newest first.'}
        >
          <a class="button" href={href(`${path}.csv`, query)} download>
            Download CSV
          </a>
        </PageHead>
        <FilterForm path={path} filters={filters} kind={kind} />
        {error === undefined ? null : <Flash kind="error">{error}</Flash>}
        <section class="panel">
          {list === undefined ? null : kind === 'events' ? (
            <EventsTable events={list.data as Event[]} empty="No events match." />
          ) : (
            <DecisionsTable decisions={list.data as Decision[]} empty="No decisions match." />
          )}
          <Pager
            path={path}
            query={query}
            next={list?.has_more === true && last !== undefined ? last.id : null}
            paged={after !== undefined}
          />
        </section>
      </Frame>,
      error === undefined ? 200 : 400,
    )
  }

  router.page('/events', tablePage('events'))
  router.page('/decisions', tablePage('decisions'))

  router.download('/events.csv', async (request) => {
    const built = filterQuery(readFilters(request), 'events')
    if ('error' in built) return errorPage(400, 'Export refused', built.error)
    const first = await request.api.call<List<Event>>('GET', '/v1/events', {
      query: { ...built.query, limit: EXPORT_PAGE_SIZE },
    })
    if (!first.ok && first.status === 400)
      return errorPage(400, 'Export refused', first.error.message)
    const stream = csvStream<Event>(
      request.api,
      '/v1/events',
      built.query,
      request.api.expect(first),
      [
        'id',
        'created_at',
        'customer_id',
        'agent_id',
        'run_id',
        'units',
        'idempotency_key',
        'reservation_id',
        'metadata',
      ],
      (event) => [
        event.id,
        event.created_at,
        event.customer_id,
        event.agent_id,
        event.run_id,
        event.units,
        event.idempotency_key,
        event.reservation_id,
        JSON.stringify(event.metadata),
      ],
      (event) => event.id,
    )
    return csvResponse(stream, 'events', request.now)
  })

  router.download('/decisions.csv', async (request) => {
    const built = filterQuery(readFilters(request), 'decisions')
    if ('error' in built) return errorPage(400, 'Export refused', built.error)
    const first = await request.api.call<List<Decision>>('GET', '/v1/decisions', {
      query: { ...built.query, limit: EXPORT_PAGE_SIZE },
    })
    if (!first.ok && first.status === 400)
      return errorPage(400, 'Export refused', first.error.message)
    const stream = csvStream<Decision>(
      request.api,
      '/v1/decisions',
      built.query,
      request.api.expect(first),
      [
        'id',
        'created_at',
        'approved',
        'reason',
        'customer_id',
        'agent_id',
        'run_id',
        'estimated_units',
        'estimate_source',
        'ceiling',
        'remaining_units',
        'reservation_id',
      ],
      (decision) => [
        decision.id,
        decision.created_at,
        decision.approved,
        decision.reason,
        decision.customer_id,
        decision.agent_id,
        decision.run_id,
        decision.estimated_units,
        decision.estimate_source,
        decision.ceiling,
        decision.remaining_units,
        decision.reservation_id,
      ],
      (decision) => decision.id,
    )
    return csvResponse(stream, 'decisions', request.now)
  })
}
