import { compactNumber, niceScale } from '../chart-scale.js'
import type { ChartSeries } from '../chart-series.js'
import { formatCount, formatDay } from '../format.js'

/** A chart's drawing size (SVG user units, about CSS pixels where it is shown). */
interface Geometry {
  width: number
  height: number
  /** At most this many day labels on the x axis. */
  labels: number
  className: string
}

/** Full-width charts on a desktop, half-width ones, and every chart on a phone. */
const geometries = {
  full: { width: 1120, height: 260, labels: 10, className: 'chart chart-wide' },
  half: { width: 540, height: 240, labels: 6, className: 'chart chart-wide' },
  narrow: { width: 340, height: 200, labels: 4, className: 'chart chart-narrow' },
} satisfies Record<string, Geometry>

interface ChartProps {
  days: readonly string[]
  series: readonly ChartSeries[]
  /** What the values count, for titles: "units", "blocked". */
  unit: string
  /** The chart's accessible name. */
  label: string
}

function Bars(props: ChartProps & { geometry: Geometry }) {
  const { days, series, geometry } = props
  const { width, height } = geometry
  const margin = { top: 10, right: 8, bottom: 24, left: 40 }
  const totals = days.map((_, index) =>
    series.reduce((sum, item) => sum + (item.values[index] ?? 0), 0),
  )
  const scale = niceScale(Math.max(0, ...totals))
  const plotWidth = width - margin.left - margin.right
  const plotHeight = height - margin.top - margin.bottom
  const band = plotWidth / Math.max(days.length, 1)
  const barWidth = Math.max(1, Math.min(56, band * 0.68))
  const y = (value: number) => margin.top + plotHeight - (value / scale.top) * plotHeight
  // Labelled from the last day back, so today always has its label.
  const labelEvery = Math.max(1, Math.ceil(days.length / geometry.labels))
  return (
    <svg
      class={geometry.className}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={props.label}
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
      {days.map((day, index) => {
        const x = margin.left + index * band + (band - barWidth) / 2
        let base = 0
        return (
          <g>
            {series.map((item) => {
              const value = item.values[index] ?? 0
              if (value <= 0) return null
              const top = y(base + value)
              const bottom = y(base)
              base += value
              return (
                <rect
                  x={x.toFixed(1)}
                  y={top.toFixed(1)}
                  width={barWidth.toFixed(1)}
                  height={Math.max(0.5, bottom - top).toFixed(1)}
                  class={item.className}
                >
                  <title>{`${formatDay(day)} · ${item.label}: ${formatCount(value)} ${props.unit}`}</title>
                </rect>
              )
            })}
            {(days.length - 1 - index) % labelEvery === 0 ? (
              <text
                class="axis-label"
                x={(margin.left + index * band + band / 2).toFixed(1)}
                y={height - 6}
                text-anchor="middle"
              >
                {formatDay(day)}
              </text>
            ) : null}
          </g>
        )
      })}
    </svg>
  )
}

/**
 * A stacked bar chart by day, drawn on the server as SVG (no chart library, no script): one
 * bar per day, one coloured part per series, a `<title>` on each part for its figure, and the
 * series' names in an HTML legend. It is drawn twice, wide and narrow, and the stylesheet
 * shows the one that fits, so its text stays legible from a desktop to a phone.
 */
export function StackedBarChart(props: ChartProps & { size?: 'full' | 'half' }) {
  return (
    <div class="chart-box">
      <Bars {...props} geometry={geometries[props.size ?? 'full']} />
      <Bars {...props} geometry={geometries.narrow} />
      {props.series.length > 0 ? (
        <ul class="legend">
          {props.series.map((item) => (
            <li>
              <span class={`swatch ${item.className}`} />
              <span>{item.label}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}
