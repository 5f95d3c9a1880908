const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** 1234567 → "1,234,567"; `null` → "—". */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : integerFormat.format(value)
}

/** An API timestamp as "2026-03-10 14:05:09" (UTC, as every time in the dashboard). */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—'
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')
}

/** "2026-03-10" → "Mar 10". */
export function formatDay(day: string): string {
  const month = months[Number(day.slice(5, 7)) - 1] ?? day.slice(5, 7)
  return `${month} ${Number(day.slice(8, 10))}`
}

/** A share as a whole percentage: 0.125 → "13%". */
export function formatPercent(part: number, whole: number): string {
  if (whole === 0) return '—'
  return `${Math.round((part / whole) * 100)}%`
}

/** A reason code of a blocked decision, in words. */
export function formatReason(reason: string | null | undefined): string {
  if (reason === 'budget_exhausted') return 'Budget exhausted'
  if (reason === 'ceiling_exceeded') return 'Ceiling exceeded'
  return 'Approved'
}

/** Metadata for a table cell: compact JSON, cut at `max` characters. */
export function formatMetadata(metadata: Record<string, unknown>, max = 80): string {
  const text = JSON.stringify(metadata)
  if (text === '{}') return ''
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
