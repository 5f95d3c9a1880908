import type { DecisionSummary, UsageResponse } from '../../schemas/objects.js'
import { seriesByTop } from '../chart-series.js'
import { Flash, Frame, PageHead } from '../components/layout.js'
import { RangePicker } from '../components/range-picker.js'
import { StackedBarChart } from '../components/stacked-bar-chart.js'
import { StatCard } from '../components/stat-card.js'
import type { DashboardRouter } from '../dashboard-router.js'
import { htmlResponse } from '../dashboard-router.js'
import { type DateRange, parseDateRange } from '../date-range.js'
import { formatCount, formatDay, formatPercent, formatTime } from '../format.js'
import { agentHref, customerHref } from '../links.js'

/** A "last N days" or "from – to" caption for a range. */
export function rangeCaption(range: DateRange): string {
  return range.preset === null
    ? `${formatDay(range.first)} – ${formatDay(range.last)}`
    : `Last ${range.preset} days`
}

/** The blocked-preflight series of a `day,reason` summary. */
export function blockedSeries(summary: DecisionSummary, days: readonly string[]) {
  return seriesByTop(summary.data, days, (row) => ({
    day: row.day ?? '',
    key: row.reason ?? 'approved',
    value: row.decisions,
  })).map((item) => ({
    ...item,
    label: item.label === 'ceiling_exceeded' ? 'Ceiling exceeded' : 'Budget exhausted',
    className: item.label === 'ceiling_exceeded' ? 's-ceiling' : 's-budget',
  }))
}

/** The overview at `/`: usage and blocks over a range, the top customers and agents, totals. */
export function registerOverviewRoute(router: DashboardRouter, refreshSeconds: number): void {
  router.page('/', async (request) => {
    const { api } = request
    const { range, error } = parseDateRange(
      { range: request.query('range'), from: request.query('from'), to: request.query('to') },
      request.now,
    )
    const window = { since: range.since, until: range.until }
    const [byDayAgent, byCustomer, blockedByDay, byReason, blockedByAgent, blockedByCustomer] =
      await Promise.all([
        api.get<UsageResponse>('/v1/usage', { group_by: 'day,agent', ...window }),
        api.get<UsageResponse>('/v1/usage', { group_by: 'customer', ...window }),
        api.get<DecisionSummary>('/v1/decisions/summary', {
          group_by: 'day,reason',
          approved: 'false',
          ...window,
        }),
        api.get<DecisionSummary>('/v1/decisions/summary', { group_by: 'reason', ...window }),
        api.get<DecisionSummary>('/v1/decisions/summary', {
          group_by: 'agent',
          approved: 'false',
          ...window,
        }),
        api.get<DecisionSummary>('/v1/decisions/summary', {
          group_by: 'customer',
          approved: 'false',
          ...window,
        }),
      ])

    const units = byDayAgent.data.reduce((sum, row) => sum + row.units, 0)
    const events = byDayAgent.data.reduce((sum, row) => sum + row.events, 0)
    const preflights = byReason.data.reduce((sum, row) => sum + row.decisions, 0)
    const blocked = byReason.data
      .filter((row) => row.reason !== null)
      .reduce((sum, row) => sum + row.decisions, 0)

    const agents = new Map<string, { units: number; events: number; blocked: number }>()
    const agent = (id: string) => {
      let entry = agents.get(id)
      if (entry === undefined) {
        entry = { units: 0, events: 0, blocked: 0 }
        agents.set(id, entry)
      }
      return entry
    }
    for (const row of byDayAgent.data) {
      const entry = agent(row.agent_id ?? '')
      entry.units += row.units
      entry.events += row.events
    }
    for (const row of blockedByAgent.data) agent(row.agent_id ?? '').blocked += row.decisions
    const topAgents = [...agents.entries()]
      .sort((left, right) => right[1].units - left[1].units || right[1].blocked - left[1].blocked)
      .slice(0, 10)

    const customerBlocks = new Map(
      blockedByCustomer.data.map((row) => [row.customer_id ?? '', row.decisions]),
    )
    const customers = new Map<string, { units: number; events: number }>(
      byCustomer.data.map((row) => [
        row.customer_id ?? '',
        { units: row.units, events: row.events },
      ]),
    )
    for (const id of customerBlocks.keys()) {
      if (!customers.has(id)) customers.set(id, { units: 0, events: 0 })
    }
    const topCustomers = [...customers.entries()]
      .sort((left, right) => right[1].units - left[1].units)
      .slice(0, 10)

    const unitSeries = seriesByTop(byDayAgent.data, range.days, (row) => ({
      day: row.day ?? '',
      key: row.agent_id ?? '',
      value: row.units,
    }))
    const nothingYet = events === 0 && preflights === 0

    return htmlResponse(
      <Frame
        title="Overview"
        section="overview"
        projectName={request.project.name}
        csrf={request.csrf}
        refreshSeconds={refreshSeconds}
      >
        <PageHead
          title="Overview"
          sub={
            <>
              {rangeCaption(range)} ·{' '}
              <span class="updated">{`updated ${formatTime(new Date(request.now).toISOString())} UTC`}</span>
            </>
          }
        >
          <RangePicker path="/" range={range} />
        </PageHead>
        {error === null ? null : <Flash kind="error">{error}</Flash>}
        {nothingYet ? (
          <div class="flash">
            Nothing recorded in this range yet. <a href="/quick-start">Quick start</a> shows how to
            send your first preflight and record.
          </div>
        ) : null}
        <div class="cards">
          <StatCard label="Units used" value={formatCount(units)} />
          <StatCard label="Events" value={formatCount(events)} />
          <StatCard label="Preflights" value={formatCount(preflights)} />
          <StatCard
            label="Blocked"
            value={formatCount(blocked)}
            note={`${formatPercent(blocked, preflights)} of preflights`}
          />
          <StatCard label="Customers" value={formatCount(customers.size)} note="active in range" />
          <StatCard label="Agents" value={formatCount(agents.size)} note="active in range" />
        </div>
        <section class="panel" aria-labelledby="units-chart">
          <div class="panel-head">
            <h2 id="units-chart">Units used per day, by agent</h2>
            <span class="muted">UTC days</span>
          </div>
          <StackedBarChart
            days={range.days}
            series={unitSeries}
            unit="units"
            label="Units used per day, by agent"
          />
        </section>
        <div class="grid grid-2">
          <section class="panel" aria-labelledby="blocked-chart">
            <div class="panel-head">
              <h2 id="blocked-chart">Blocked preflights per day</h2>
              <a href="/decisions">All blocked</a>
            </div>
            <StackedBarChart
              days={range.days}
              size="half"
              series={blockedSeries(blockedByDay, range.days)}
              unit="blocked"
              label="Blocked preflights per day"
            />
          </section>
          <section class="panel" aria-labelledby="top-customers">
            <div class="panel-head">
              <h2 id="top-customers">Top customers</h2>
              <a href="/customers">All customers</a>
            </div>
            {topCustomers.length === 0 ? (
              <p class="empty">No customer activity in this range.</p>
            ) : (
              <div class="table-scroll">
                <table class="data">
                  <thead>
                    <tr>
                      <th>Customer</th>
                      <th class="num">Units</th>
                      <th class="num">Events</th>
                      <th class="num">Blocked</th>
                    </tr>
                  </thead>
                  <tbody>
                    {topCustomers.map(([id, figures]) => (
                      <tr>
                        <td class="id">
                          <a href={customerHref(id)}>{id}</a>
                        </td>
                        <td class="num">{formatCount(figures.units)}</td>
                        <td class="num">{formatCount(figures.events)}</td>
                        <td class="num">{formatCount(customerBlocks.get(id) ?? 0)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </div>
        <section class="panel" aria-labelledby="top-agents">
          <div class="panel-head">
            <h2 id="top-agents">Top agents</h2>
            <a href="/agents">All agents</a>
          </div>
          {topAgents.length === 0 ? (
            <p class="empty">No agent activity in this range.</p>
          ) : (
            <div class="table-scroll">
              <table class="data">
                <thead>
                  <tr>
                    <th>Agent</th>
                    <th class="num">Units</th>
                    <th class="num">Events</th>
                    <th class="num">Blocked preflights</th>
                  </tr>
                </thead>
                <tbody>
                  {topAgents.map(([id, figures]) => (
                    <tr>
                      <td class="id">
                        <a href={agentHref(id)}>{id}</a>
                      </td>
                      <td class="num">{formatCount(figures.units)}</td>
                      <td class="num">{formatCount(figures.events)}</td>
                      <td class="num">{formatCount(figures.blocked)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </Frame>,
    )
  })
}
