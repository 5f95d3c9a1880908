import { compactNumber, niceScale } from '../chart-scale.js'
import { formatCount } from '../format.js'
import type { RunCall } from '../run-calls.js'

const margin = { top: 16, right: 8, bottom: 24, left: 40 }

/**
 * Each call of a run against its ceiling (drawn wide and narrow, like the stacked charts): a column per call standing on the run's total
 * before it, the call's recorded units on top, a held estimate (still open) lighter, a blocked
 * call's estimate as a dashed outline, and the ceiling as a dashed line.
 */
export function RunChart(props: { calls: readonly RunCall[]; ceiling: number | null }) {
  return (
    <div class="chart-box">
      <RunColumns {...props} width={1120} height={260} labels={20} className="chart chart-wide" />
      <RunColumns {...props} width={340} height={200} labels={6} className="chart chart-narrow" />
    </div>
  )
}

function RunColumns(props: {
  calls: readonly RunCall[]
  ceiling: number | null
  width: number
  height: number
  labels: number
  className: string
}) {
  const { calls, ceiling, width, height } = props
  const peak = Math.max(
    ceiling ?? 0,
    ...calls.map(
      (call) => call.totalBefore + Math.max(call.recorded, call.decision?.estimated_units ?? 0),
    ),
  )
  const scale = niceScale(peak)
  const plotWidth = width - margin.left - margin.right
  const plotHeight = height - margin.top - margin.bottom
  const band = plotWidth / Math.max(calls.length, 1)
  const barWidth = Math.max(1, Math.min(48, band * 0.6))
  const y = (value: number) => margin.top + plotHeight - (value / scale.top) * plotHeight
  const labelEvery = Math.max(1, Math.ceil(calls.length / props.labels))
  return (
    <div>
      <svg
        class={props.className}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label="Each call of the run against its ceiling"
      >
        {scale.ticks.map((tick) => (
          <g>
            <line
              class="grid-line"
              x1={margin.left}
              x2={width - margin.right}
              y1={y(tick).toFixed(1)}
              y2={y(tick).toFixed(1)}
            />
            <text
              class="axis-label"
              x={margin.left - 6}
              y={(y(tick) + 4).toFixed(1)}
              text-anchor="end"
            >
              {compactNumber(tick)}
            </text>
          </g>
        ))}
        {calls.map((call, index) => {
          const x = margin.left + index * band + (band - barWidth) / 2
          const rect = (from: number, to: number, className: string, title: string) =>
            to > from ? (
              <rect
                x={x.toFixed(1)}
                y={y(to).toFixed(1)}
                width={barWidth.toFixed(1)}
                height={Math.max(0.5, y(from) - y(to)).toFixed(1)}
                class={className}
              >
                <title>{title}</title>
              </rect>
            ) : null
          const label = `Call ${index + 1}`
          const decision = call.decision
          const blocked = decision !== null && !decision.approved
          // An approved call with nothing recorded yet still holds its estimate.
          const open =
            decision?.approved === true && call.events.length === 0 ? decision.estimated_units : 0
          return (
            <g>
              {rect(
                0,
                call.totalBefore,
                's-track',
                `${label}: run total before, ${formatCount(call.totalBefore)}`,
              )}
              {rect(
                call.totalBefore,
                call.totalBefore + call.recorded,
                's-used',
                `${label}: recorded ${formatCount(call.recorded)} units`,
              )}
              {rect(
                call.totalBefore,
                call.totalBefore + open,
                's-reserved',
                `${label}: ${formatCount(open)} units held, not recorded yet`,
              )}
              {blocked
                ? rect(
                    call.totalBefore,
                    call.totalBefore + decision.estimated_units,
                    's-blocked',
                    `${label}: blocked, asked for ${formatCount(decision.estimated_units)}`,
                  )
                : null}
              {index % labelEvery === 0 ? (
                <text
                  class="axis-label"
                  x={(margin.left + index * band + band / 2).toFixed(1)}
                  y={height - 6}
                  text-anchor="middle"
                >
                  {String(index + 1)}
                </text>
              ) : null}
            </g>
          )
        })}
        {ceiling === null ? null : (
          <g>
            <line
              class="ceiling-line"
              x1={margin.left}
              x2={width - margin.right}
              y1={y(ceiling).toFixed(1)}
              y2={y(ceiling).toFixed(1)}
            />
            <text
              class="ceiling-label"
              x={width - margin.right}
              y={(y(ceiling) - 4).toFixed(1)}
              text-anchor="end"
            >
              {`Ceiling ${formatCount(ceiling)}`}
            </text>
          </g>
        )}
      </svg>
    </div>
  )
}
