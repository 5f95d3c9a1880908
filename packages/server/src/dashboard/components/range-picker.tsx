import { type DateRange, RANGE_PRESETS } from '../date-range.js'
import { href, type LinkQuery } from '../links.js'

/**
 * The range picker: preset links (7, 14, 30, 90 days) and a from/to form for custom dates.
 * Plain links and a GET form: it works without the script, and a range is a shareable URL.
 */
export function RangePicker(props: { path: string; range: DateRange; keep?: LinkQuery }) {
  const keep = props.keep ?? {}
  return (
    <div class="range">
      <nav class="segmented" aria-label="Range">
        {RANGE_PRESETS.map((days) => (
          <a
            href={href(props.path, { ...keep, range: days })}
            aria-current={props.range.preset === days ? 'true' : undefined}
          >
            {`${days}d`}
          </a>
        ))}
      </nav>
      <form method="get" action={props.path}>
        {Object.entries(keep).map(([name, value]) =>
          value === undefined || value === null || value === '' ? null : (
            <input type="hidden" name={name} value={String(value)} />
          ),
        )}
        <input type="date" name="from" value={props.range.first} aria-label="From" />
        <span class="muted">to</span>
        <input type="date" name="to" value={props.range.last} aria-label="To" />
        <button class="button button-small" type="submit">
          Apply
        </button>
      </form>
    </div>
  )
}
