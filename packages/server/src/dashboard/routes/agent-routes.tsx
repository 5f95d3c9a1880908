import type {
  Decision,
  DecisionSummary,
  Event,
  List,
  Run,
  UsageResponse,
} from '../../schemas/objects.js'
import { seriesByTop } from '../chart-series.js'
import { DecisionBadge, DecisionsTable, EventsTable } from '../components/activity-tables.js'
import { Flash, Frame, PageHead } from '../components/layout.js'
import { RangePicker } from '../components/range-picker.js'
import { RunChart } from '../components/run-chart.js'
import { StackedBarChart } from '../components/stacked-bar-chart.js'
import { StatCard } from '../components/stat-card.js'
import { pathSegment } from '../dashboard-api.js'
import { type DashboardRouter, errorPage, htmlResponse } from '../dashboard-router.js'
import { parseDateRange, rangeQuery } from '../date-range.js'
import { formatCount, formatPercent, formatTime } from '../format.js'
import { agentHref, customerHref, href, runHref } from '../links.js'
import { runCalls } from '../run-calls.js'
import { blockedSeries, rangeCaption } from './overview-route.js'

/** Runs seen in an agent's recent activity, most recent first. */
function recentRuns(decisions: readonly Decision[], events: readonly Event[], max = 15) {
  const runs = new Map<string, { last: string; calls: number; blocked: number }>()
  for (const item of [...decisions, ...events]) {
    if (item.run_id === null) continue
    const entry = runs.get(item.run_id) ?? { last: item.created_at, calls: 0, blocked: 0 }
    if (item.created_at > entry.last) entry.last = item.created_at
    if ('approved' in item) {
      entry.calls += 1
      if (!item.approved) entry.blocked += 1
    }
    runs.set(item.run_id, entry)
  }
  return [...runs.entries()]
    .sort((left, right) => (left[1].last < right[1].last ? 1 : -1))
    .slice(0, max)
}

/** Agents (usage and blocks per agent), an agent's page, and a run's page. */
export function registerAgentRoutes(router: DashboardRouter, refreshSeconds: number): void {
  router.page('/agents', async (request) => {
    const { api } = request
    const { range, error } = parseDateRange(
      { range: request.query('range'), from: request.query('from'), to: request.query('to') },
      request.now,
    )
    const window = { since: range.since, until: range.until }
    const [usage, decisions, blocked] = await Promise.all([
      api.get<UsageResponse>('/v1/usage', { group_by: 'agent', ...window }),
      api.get<DecisionSummary>('/v1/decisions/summary', { group_by: 'agent', ...window }),
      api.get<DecisionSummary>('/v1/decisions/summary', {
        group_by: 'agent',
        approved: 'false',
        ...window,
      }),
    ])
    const agents = new Map<
      string,
      { units: number; events: number; preflights: number; blocked: number }
    >()
    const entry = (id: string) => {
      let found = agents.get(id)
      if (found === undefined) {
        found = { units: 0, events: 0, preflights: 0, blocked: 0 }
        agents.set(id, found)
      }
      return found
    }
    for (const row of usage.data) {
      const found = entry(row.agent_id ?? '')
      found.units = row.units
      found.events = row.events
    }
    for (const row of decisions.data) entry(row.agent_id ?? '').preflights = row.decisions
    for (const row of blocked.data) entry(row.agent_id ?? '').blocked = row.decisions
    const rows = [...agents.entries()].sort(
      (left, right) => right[1].units - left[1].units || right[1].blocked - left[1].blocked,
    )
    return htmlResponse(
      <Frame
        title="Agents"
        section="agents"
        projectName={request.project.name}
        csrf={request.csrf}
        refreshSeconds={refreshSeconds}
      >
        <PageHead title="Agents" sub={rangeCaption(range)}>
          <RangePicker path="/agents" range={range} />
        </PageHead>
        {error === null ? null : <Flash kind="error">{error}</Flash>}
        <section class="panel">
          {rows.length === 0 ? (
            <p class="empty">No agent recorded usage or asked a preflight in this range.</p>
          ) : (
            <div class="table-scroll">
              <table class="data">
                <thead>
                  <tr>
                    <th>Agent</th>
                    <th class="num">Units</th>
                    <th class="num">Events</th>
                    <th class="num">Preflights</th>
                    <th class="num">Blocked</th>
                    <th class="num">Block rate</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map(([id, figures]) => (
                    <tr>
                      <td class="id">
                        <a href={href('/agent', { id, ...rangeQuery(range) })}>{id}</a>
                      </td>
                      <td class="num">{formatCount(figures.units)}</td>
                      <td class="num">{formatCount(figures.events)}</td>
                      <td class="num">{formatCount(figures.preflights)}</td>
                      <td class="num">{formatCount(figures.blocked)}</td>
                      <td class="num">{formatPercent(figures.blocked, figures.preflights)}</td>
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

  router.page('/agent', async (request) => {
    const agentId = request.query('id')
    if (agentId === undefined || agentId === '') {
      return errorPage(404, 'Not found', 'Which agent? The link has no id.')
    }
    const { api } = request
    const { range, error } = parseDateRange(
      { range: request.query('range'), from: request.query('from'), to: request.query('to') },
      request.now,
    )
    const window = { since: range.since, until: range.until, agent_id: agentId }
    const [usage, blockedByDay, byReason, events, decisions, blocked] = await Promise.all([
      api.get<UsageResponse>('/v1/usage', { group_by: 'day,customer', ...window }),
      api.get<DecisionSummary>('/v1/decisions/summary', {
        group_by: 'day,reason',
        approved: 'false',
        ...window,
      }),
      api.get<DecisionSummary>('/v1/decisions/summary', { group_by: 'reason', ...window }),
      api.get<List<Event>>('/v1/events', { agent_id: agentId, limit: 20 }),
      api.get<List<Decision>>('/v1/decisions', { agent_id: agentId, limit: 100 }),
      api.get<List<Decision>>('/v1/decisions', { agent_id: agentId, approved: 'false', limit: 20 }),
    ])
    const units = usage.data.reduce((sum, row) => sum + row.units, 0)
    const eventCount = usage.data.reduce((sum, row) => sum + row.events, 0)
    const preflights = byReason.data.reduce((sum, row) => sum + row.decisions, 0)
    const blockedCount = byReason.data
      .filter((row) => row.reason !== null)
      .reduce((sum, row) => sum + row.decisions, 0)
    const runs = recentRuns(decisions.data, events.data)
    return htmlResponse(
      <Frame
        title={`Agent ${agentId}`}
        section="agents"
        projectName={request.project.name}
        csrf={request.csrf}
        refreshSeconds={refreshSeconds}
      >
        <PageHead title="Agent" sub={<span class="mono">{agentId}</span>}>
          <RangePicker path="/agent" range={range} keep={{ id: agentId }} />
        </PageHead>
        {error === null ? null : <Flash kind="error">{error}</Flash>}
        <div class="cards">
          <StatCard label="Units used" value={formatCount(units)} note={rangeCaption(range)} />
          <StatCard label="Events" value={formatCount(eventCount)} />
          <StatCard label="Preflights" value={formatCount(preflights)} />
          <StatCard
            label="Blocked"
            value={formatCount(blockedCount)}
            note={`${formatPercent(blockedCount, preflights)} of preflights`}
          />
        </div>
        <div class="grid grid-2">
          <section class="panel" aria-labelledby="agent-units">
            <h2 id="agent-units">Units per day, by customer</h2>
            <StackedBarChart
              days={range.days}
              size="half"
              series={seriesByTop(usage.data, range.days, (row) => ({
                day: row.day ?? '',
                key: row.customer_id ?? '',
                value: row.units,
              }))}
              unit="units"
              label={`Units per day for agent ${agentId}`}
            />
          </section>
          <section class="panel" aria-labelledby="agent-blocked">
            <h2 id="agent-blocked">Blocked preflights per day</h2>
            <StackedBarChart
              days={range.days}
              size="half"
              series={blockedSeries(blockedByDay, range.days)}
              unit="blocked"
              label={`Blocked preflights per day for agent ${agentId}`}
            />
          </section>
        </div>
        <section class="panel" aria-labelledby="agent-runs">
          <h2 id="agent-runs">Recent runs</h2>
          {runs.length === 0 ? (
            <p class="empty">No recent activity of this agent carried a run_id.</p>
          ) : (
            <div class="table-scroll">
              <table class="data">
                <thead>
                  <tr>
                    <th>Run</th>
                    <th>Last activity (UTC)</th>
                    <th class="num">Preflights</th>
                    <th class="num">Blocked</th>
                  </tr>
                </thead>
                <tbody>
                  {runs.map(([id, figures]) => (
                    <tr>
                      <td class="id">
                        <a href={runHref(id)}>{id}</a>
                      </td>
                      <td class="nowrap">{formatTime(figures.last)}</td>
                      <td class="num">{formatCount(figures.calls)}</td>
                      <td class="num">{formatCount(figures.blocked)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section class="panel" aria-labelledby="agent-events">
          <div class="panel-head">
            <h2 id="agent-events">Recent events</h2>
            <a href={href('/events', { agent_id: agentId })}>All events</a>
          </div>
          <EventsTable events={events.data} empty="This agent has recorded nothing yet." />
        </section>
        <section class="panel" aria-labelledby="agent-blocks">
          <div class="panel-head">
            <h2 id="agent-blocks">Recent blocked preflights</h2>
            <a href={href('/decisions', { agent_id: agentId })}>All blocked</a>
          </div>
          <DecisionsTable decisions={blocked.data} empty="Nothing of this agent was blocked." />
        </section>
      </Frame>,
    )
  })

  router.page('/run', async (request) => {
    const runId = request.query('id')
    if (runId === undefined || runId === '') {
      return errorPage(404, 'Not found', 'Which run? The link has no id.')
    }
    const { api } = request
    const found = await api.call<Run>('GET', `/v1/runs/${pathSegment(runId)}`)
    if (!found.ok && found.status === 404) {
      return errorPage(
        404,
        'No such run',
        'No preflight or record of this project carried that run_id.',
      )
    }
    const run = api.expect(found)
    const [events, decisions] = await Promise.all([
      api.get<List<Event>>('/v1/events', { run_id: runId, limit: 200 }),
      api.get<List<Decision>>('/v1/decisions', { run_id: runId, limit: 200 }),
    ])
    const calls = runCalls([...decisions.data].reverse(), [...events.data].reverse())
    const truncated = events.has_more || decisions.has_more
    return htmlResponse(
      <Frame
        title={`Run ${runId}`}
        section="agents"
        projectName={request.project.name}
        csrf={request.csrf}
        refreshSeconds={refreshSeconds}
      >
        <PageHead title="Run" sub={<span class="mono">{runId}</span>} />
        <div class="cards">
          <StatCard
            label="Ceiling"
            value={run.ceiling === null ? 'None' : formatCount(run.ceiling)}
            note="fixed by the run's first preflight that named one"
          />
          <StatCard label="Used" value={formatCount(run.used_units)} />
          <StatCard label="Reserved" value={formatCount(run.reserved_units)} note="open holds" />
          <StatCard
            label="Left under ceiling"
            value={run.remaining_units === null ? '—' : formatCount(run.remaining_units)}
          />
        </div>
        <section class="panel" aria-labelledby="run-chart">
          <div class="panel-head">
            <h2 id="run-chart">Each call against the ceiling</h2>
            <span class="muted">
              {truncated ? 'The latest 200 preflights and records' : `${calls.length} calls`}
            </span>
          </div>
          <RunChart calls={calls} ceiling={run.ceiling} />
          <ul class="legend">
            <li>
              <span class="swatch s-track" /> run total before the call
            </li>
            <li>
              <span class="swatch s-used" /> recorded by the call
            </li>
            <li>
              <span class="swatch s-reserved" /> held, not recorded yet
            </li>
            <li>
              <span class="swatch s-budget" /> blocked (dashed: what it asked for)
            </li>
          </ul>
        </section>
        <section class="panel" aria-labelledby="run-calls">
          <h2 id="run-calls">Calls</h2>
          {calls.length === 0 ? (
            <p class="empty">No calls.</p>
          ) : (
            <div class="table-scroll">
              <table class="data">
                <thead>
                  <tr>
                    <th class="num">#</th>
                    <th>Time (UTC)</th>
                    <th>Agent</th>
                    <th>Customer</th>
                    <th>Preflight</th>
                    <th class="num">Estimate</th>
                    <th class="num">Recorded</th>
                    <th class="num">Run total</th>
                    <th class="num">Left under ceiling</th>
                  </tr>
                </thead>
                <tbody>
                  {calls.map((call, index) => {
                    const total = call.totalBefore + call.recorded
                    return (
                      <tr>
                        <td class="num">{String(index + 1)}</td>
                        <td class="nowrap">{formatTime(call.time)}</td>
                        <td class="id">
                          <a href={agentHref(call.agentId)}>{call.agentId}</a>
                        </td>
                        <td class="id">
                          <a href={customerHref(call.customerId)}>{call.customerId}</a>
                        </td>
                        <td>
                          {call.decision === null ? (
                            <span class="muted">record only</span>
                          ) : (
                            <DecisionBadge decision={call.decision} />
                          )}
                        </td>
                        <td class="num">
                          {call.decision === null
                            ? '—'
                            : formatCount(call.decision.estimated_units)}
                        </td>
                        <td class="num">{formatCount(call.recorded)}</td>
                        <td class="num">{formatCount(total)}</td>
                        <td class="num">
                          {run.ceiling === null
                            ? '—'
                            : formatCount(Math.max(0, run.ceiling - total))}
                        </td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </Frame>,
    )
  })
}
