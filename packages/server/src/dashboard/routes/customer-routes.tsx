import { randomUUID } from 'node:crypto'
import type {
  Customer,
  Decision,
  Event,
  Grant,
  List,
  UsageResponse,
} from '../../schemas/objects.js'
import { seriesByTop } from '../chart-series.js'
import { DecisionsTable, EventsTable } from '../components/activity-tables.js'
import { BalanceBar } from '../components/balance-bar.js'
import { CsrfField, Flash, Frame, PageHead } from '../components/layout.js'
import { Pager } from '../components/pager.js'
import { StackedBarChart } from '../components/stacked-bar-chart.js'
import { type ApiFailure, pathSegment } from '../dashboard-api.js'
import {
  type DashboardRouter,
  errorPage,
  htmlResponse,
  type SignedInRequest,
  seeOther,
} from '../dashboard-router.js'
import { parseDateRange } from '../date-range.js'
import { formatCount, formatTime } from '../format.js'
import { customerHref, href } from '../links.js'

const PAGE_SIZE = 50

/**
 * A number typed in a form, for the API: digits become a number; anything else goes as typed,
 * so the API refuses it with its own message naming the field (one validation, not two).
 */
export function formNumber(value: string): number | string {
  const trimmed = value.trim()
  return /^\d{1,16}$/.test(trimmed) ? Number(trimmed) : trimmed
}

function Badges(props: { customer: Customer }) {
  const { customer } = props
  return (
    <span class="actions">
      {customer.unlimited ? <span class="badge badge-accent">Unlimited</span> : null}
      {customer.period === 'none' ? null : <span class="badge">{`Per ${customer.period}`}</span>}
      {customer.limit_units === null ? null : (
        <span class="badge">{`Limit ${formatCount(customer.limit_units)}`}</span>
      )}
      {customer.balance.overage_units > 0 ? <span class="badge badge-danger">Over</span> : null}
    </span>
  )
}

/** What the forms of a customer page show after a refused post. */
interface FormState {
  form: 'budget' | 'grant'
  error: ApiFailure
  values: Record<string, string>
}

function FieldError(props: { state: FormState | undefined; form: string; param: string }) {
  if (props.state?.form !== props.form || props.state.error.param !== props.param) return null
  return <span class="field-error">{props.state.error.message.replace(/^Invalid field /, '')}</span>
}

async function customerPage(
  request: SignedInRequest,
  customerId: string,
  state?: FormState,
): Promise<Response> {
  const { api } = request
  const { range } = parseDateRange({ range: '30' }, request.now)
  const [customer, events, decisions, usage] = await Promise.all([
    api.get<Customer>(`/v1/customers/${pathSegment(customerId)}`),
    api.get<List<Event>>('/v1/events', { customer_id: customerId, limit: 20 }),
    api.get<List<Decision>>('/v1/decisions', { customer_id: customerId, limit: 20 }),
    api.get<UsageResponse>('/v1/usage', {
      group_by: 'day,agent',
      customer_id: customerId,
      since: range.since,
      until: range.until,
    }),
  ])
  const saved = request.query('saved')
  const balance = customer.balance
  const budgetValue = (name: string, fallback: string) =>
    state?.form === 'budget' ? (state.values[name] ?? '') : fallback
  const invalid = (form: string, param: string) =>
    state?.form === form && state.error.param === param ? 'true' : undefined
  return htmlResponse(
    <Frame
      title={`Customer ${customerId}`}
      section="customers"
      projectName={request.project.name}
      csrf={request.csrf}
    >
      <PageHead title="Customer" sub={<span class="mono">{customerId}</span>}>
        <Badges customer={customer} />
      </PageHead>
      {saved === 'budget' ? <Flash kind="ok">Budget saved.</Flash> : null}
      {saved === 'grant' ? <Flash kind="ok">Grant added.</Flash> : null}
      {state === undefined ? null : <Flash kind="error">{state.error.message}</Flash>}
      <section class="panel" aria-labelledby="balance">
        <div class="panel-head">
          <h2 id="balance">Balance</h2>
          <span class="muted">
            {balance.period === 'none'
              ? 'No period: grants last until used'
              : `Period ${formatTime(balance.period_start)} – ${formatTime(balance.period_end)} UTC`}
          </span>
        </div>
        <BalanceBar balance={balance} big />
      </section>
      <div class="grid grid-2">
        <section class="panel" aria-labelledby="budget">
          <h2 id="budget">Budget</h2>
          <form class="stack" method="post" action="/customer/budget">
            <CsrfField token={request.csrf} />
            <input type="hidden" name="customer_id" value={customerId} />
            <div class="fields">
              <label class="field">
                <span>
                  Limit (units){' '}
                  <span class="hint">
                    empty: the free units ({formatCount(request.project.free_units)})
                  </span>
                </span>
                <input
                  type="text"
                  inputmode="numeric"
                  name="limit_units"
                  value={budgetValue(
                    'limit_units',
                    customer.limit_units === null ? '' : String(customer.limit_units),
                  )}
                  aria-invalid={invalid('budget', 'limit_units')}
                />
                <FieldError state={state} form="budget" param="limit_units" />
              </label>
              <label class="field">
                Period
                <select name="period" aria-invalid={invalid('budget', 'period')}>
                  {(['none', 'day', 'week', 'month'] as const).map((period) => (
                    <option
                      value={period}
                      selected={budgetValue('period', customer.period) === period}
                    >
                      {period === 'none' ? 'None (no reset)' : `Every ${period} (UTC)`}
                    </option>
                  ))}
                </select>
                <FieldError state={state} form="budget" param="period" />
              </label>
            </div>
            <label class="check">
              <input
                type="checkbox"
                name="unlimited"
                value="true"
                checked={budgetValue('unlimited', customer.unlimited ? 'true' : '') === 'true'}
              />
              Unlimited (never blocked for budget; usage is still recorded)
            </label>
            <div class="actions">
              <button class="button button-primary" type="submit">
                Save budget
              </button>
              <span class="hint">
                Changing the period recounts usage from the new period's start.
              </span>
            </div>
          </form>
        </section>
        <section class="panel" aria-labelledby="grant">
          <h2 id="grant">Add a grant</h2>
          <form class="stack" method="post" action="/customer/grant">
            <CsrfField token={request.csrf} />
            <input type="hidden" name="customer_id" value={customerId} />
            <input
              type="hidden"
              name="idempotency_key"
              value={
                state?.form === 'grant'
                  ? (state.values.idempotency_key ?? '')
                  : `dash_${randomUUID()}`
              }
            />
            <div class="fields">
              <label class="field">
                Units
                <input
                  type="text"
                  inputmode="numeric"
                  name="units"
                  required
                  value={state?.form === 'grant' ? (state.values.units ?? '') : ''}
                  aria-invalid={invalid('grant', 'units')}
                />
                <FieldError state={state} form="grant" param="units" />
              </label>
              <label class="field">
                Reason <span class="hint">(optional)</span>
                <input
                  type="text"
                  name="reason"
                  maxlength={500}
                  value={state?.form === 'grant' ? (state.values.reason ?? '') : ''}
                  aria-invalid={invalid('grant', 'reason')}
                />
                <FieldError state={state} form="grant" param="reason" />
              </label>
            </div>
            <div class="actions">
              <button class="button button-primary" type="submit">
                Add grant
              </button>
              <span class="hint">
                {balance.period === 'none'
                  ? 'Lasts until used.'
                  : 'Adds to the current period only.'}
              </span>
            </div>
          </form>
        </section>
      </div>
      <section class="panel" aria-labelledby="usage-chart">
        <div class="panel-head">
          <h2 id="usage-chart">Units per day, last 30 days</h2>
        </div>
        <StackedBarChart
          days={range.days}
          series={seriesByTop(usage.data, range.days, (row) => ({
            day: row.day ?? '',
            key: row.agent_id ?? '',
            value: row.units,
          }))}
          unit="units"
          label={`Units per day for customer ${customerId}`}
        />
      </section>
      <section class="panel" aria-labelledby="recent-events">
        <div class="panel-head">
          <h2 id="recent-events">Recent events</h2>
          <a href={href('/events', { customer_id: customerId })}>All events</a>
        </div>
        <EventsTable events={events.data} empty="No usage recorded for this customer." />
      </section>
      <section class="panel" aria-labelledby="recent-decisions">
        <div class="panel-head">
          <h2 id="recent-decisions">Recent decisions</h2>
          <a href={href('/decisions', { customer_id: customerId, outcome: 'all' })}>
            All decisions
          </a>
        </div>
        <DecisionsTable decisions={decisions.data} empty="No preflights for this customer." />
      </section>
      {Object.keys(customer.metadata).length === 0 ? null : (
        <section class="panel" aria-labelledby="metadata">
          <h2 id="metadata">Metadata</h2>
          <pre class="json">{JSON.stringify(customer.metadata, null, 2)}</pre>
        </section>
      )}
    </Frame>,
    state === undefined ? 200 : state.error.status,
  )
}

/** Customers: the list with balance bars and search, a customer's page, budget and grants. */
export function registerCustomerRoutes(router: DashboardRouter): void {
  router.page('/customers', async (request) => {
    const search = request.query('search') ?? ''
    const after = request.query('after')
    const result = await request.api.call<List<Customer>>('GET', '/v1/customers', {
      query: { limit: PAGE_SIZE, starting_after: after, search },
    })
    const page = result.ok ? result.body : undefined
    if (!result.ok && result.status !== 400) request.api.expect(result)
    const last = page?.data.at(-1)
    return htmlResponse(
      <Frame
        title="Customers"
        section="customers"
        projectName={request.project.name}
        csrf={request.csrf}
      >
        <PageHead title="Customers" sub="Balances in the current period of each customer." />
        <form class="panel filters" method="get" action="/customers">
          <div class="actions">
            <input
              type="search"
              name="search"
              value={search}
              placeholder="Search customer ids"
              aria-label="Search customer ids"
            />
            <button class="button" type="submit">
              Search
            </button>
            {search === '' ? null : (
              <a class="button" href="/customers">
                Clear
              </a>
            )}
          </div>
        </form>
        {result.ok ? null : <Flash kind="error">{result.error.message}</Flash>}
        <section class="panel">
          {page === undefined || page.data.length === 0 ? (
            <p class="empty">
              {search === ''
                ? 'No customers yet. A customer appears the first time a preflight or record names it.'
                : 'No customer id contains that text.'}
            </p>
          ) : (
            <div class="table-scroll">
              <table class="data">
                <thead>
                  <tr>
                    <th>Customer</th>
                    <th>Balance</th>
                    <th class="num">Remaining</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((customer) => (
                    <tr>
                      <td class="id">
                        <a href={customerHref(customer.customer_id)}>{customer.customer_id}</a>
                      </td>
                      <td>
                        <BalanceBar balance={customer.balance} />
                      </td>
                      <td class="num">
                        {customer.unlimited ? '∞' : formatCount(customer.balance.remaining_units)}
                      </td>
                      <td>
                        <Badges customer={customer} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager
            path="/customers"
            query={{ search }}
            next={page?.has_more === true && last !== undefined ? last.customer_id : null}
            paged={after !== undefined}
          />
        </section>
      </Frame>,
      result.ok ? 200 : result.status,
    )
  })

  router.page('/customer', async (request) => {
    const customerId = request.query('id')
    if (customerId === undefined || customerId === '') {
      return errorPage(404, 'Not found', 'Which customer? The link has no id.')
    }
    return customerPage(request, customerId)
  })

  router.action('/customer/budget', async (request, form) => {
    const customerId = form.get('customer_id') ?? ''
    const limit = form.get('limit_units') ?? ''
    const values = {
      limit_units: limit,
      period: form.get('period') ?? '',
      unlimited: form.get('unlimited') === 'true' ? 'true' : '',
    }
    const result = await request.api.call<Customer>(
      'PATCH',
      `/v1/customers/${pathSegment(customerId)}`,
      {
        body: {
          limit_units: limit.trim() === '' ? null : formNumber(limit),
          unlimited: values.unlimited === 'true',
          period: values.period,
        },
      },
    )
    if (!result.ok) {
      if (result.status === 401 || result.status >= 500) request.api.expect(result)
      return customerPage(request, customerId, { form: 'budget', error: result.error, values })
    }
    return seeOther(`${customerHref(customerId)}&saved=budget`)
  })

  router.action('/customer/grant', async (request, form) => {
    const customerId = form.get('customer_id') ?? ''
    const values = {
      units: form.get('units') ?? '',
      reason: form.get('reason') ?? '',
      idempotency_key: form.get('idempotency_key') ?? '',
    }
    const result = await request.api.call<Grant>(
      'POST',
      `/v1/customers/${pathSegment(customerId)}/grants`,
      {
        body: {
          units: formNumber(values.units),
          ...(values.reason.trim() === '' ? {} : { reason: values.reason }),
          ...(values.idempotency_key === '' ? {} : { idempotency_key: values.idempotency_key }),
        },
      },
    )
    if (!result.ok) {
      if (result.status === 401 || result.status >= 500) request.api.expect(result)
      return customerPage(request, customerId, { form: 'grant', error: result.error, values })
    }
    return seeOther(`${customerHref(customerId)}&saved=grant`)
  })
}
