import type { Decision, Event } from '../../schemas/objects.js'
import { formatCount, formatMetadata, formatReason, formatTime } from '../format.js'
import { agentHref, customerHref, runHref } from '../links.js'

/** An agent, customer or run id as a link to its page (the id is text, always escaped). */
function IdLink(props: { id: string | null; to: (id: string) => string }) {
  if (props.id === null) return <span class="muted">—</span>
  return <a href={props.to(props.id)}>{props.id}</a>
}

/** Recorded events, newest first. */
export function EventsTable(props: { events: readonly Event[]; empty?: string }) {
  if (props.events.length === 0) {
    return <p class="empty">{props.empty ?? 'No events.'}</p>
  }
  return (
    <div class="table-scroll">
      <table class="data">
        <thead>
          <tr>
            <th>Time (UTC)</th>
            <th>Agent</th>
            <th>Customer</th>
            <th>Run</th>
            <th class="num">Units</th>
            <th>Metadata</th>
          </tr>
        </thead>
        <tbody>
          {props.events.map((event) => (
            <tr data-event-id={event.id}>
              <td class="nowrap">{formatTime(event.created_at)}</td>
              <td class="id">
                <IdLink id={event.agent_id} to={agentHref} />
              </td>
              <td class="id">
                <IdLink id={event.customer_id} to={customerHref} />
              </td>
              <td class="id">
                <IdLink id={event.run_id} to={runHref} />
              </td>
              <td class="num">{formatCount(event.units)}</td>
              <td class="meta">{formatMetadata(event.metadata)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** The outcome of a decision as a badge. */
export function DecisionBadge(props: { decision: Pick<Decision, 'approved' | 'reason'> }) {
  if (props.decision.approved) return <span class="badge badge-ok">Approved</span>
  return (
    <span
      class={
        props.decision.reason === 'ceiling_exceeded' ? 'badge badge-warn' : 'badge badge-danger'
      }
    >
      {formatReason(props.decision.reason)}
    </span>
  )
}

/** Preflight decisions, newest first. */
export function DecisionsTable(props: { decisions: readonly Decision[]; empty?: string }) {
  if (props.decisions.length === 0) {
    return <p class="empty">{props.empty ?? 'No decisions.'}</p>
  }
  return (
    <div class="table-scroll">
      <table class="data">
        <thead>
          <tr>
            <th>Time (UTC)</th>
            <th>Outcome</th>
            <th>Agent</th>
            <th>Customer</th>
            <th>Run</th>
            <th class="num">Estimate</th>
            <th class="num">Remaining</th>
            <th class="num">Ceiling</th>
          </tr>
        </thead>
        <tbody>
          {props.decisions.map((decision) => (
            <tr data-decision-id={decision.id}>
              <td class="nowrap">{formatTime(decision.created_at)}</td>
              <td>
                <DecisionBadge decision={decision} />
              </td>
              <td class="id">
                <IdLink id={decision.agent_id} to={agentHref} />
              </td>
              <td class="id">
                <IdLink id={decision.customer_id} to={customerHref} />
              </td>
              <td class="id">
                <IdLink id={decision.run_id} to={runHref} />
              </td>
              <td class="num">{formatCount(decision.estimated_units)}</td>
              <td class="num">{formatCount(decision.remaining_units)}</td>
              <td class="num">{formatCount(decision.ceiling)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
