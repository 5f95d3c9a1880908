/**
 * The nearest-rank percentile of the values (the ceil(fraction × n)-th smallest), or undefined
 * when there are none. `estimated_units: "auto"` takes the 0.9 of an agent's last 50 records.
 */
export function percentile(values: readonly number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((left, right) => left - right)
  const rank = Math.max(1, Math.ceil(fraction * sorted.length))
  return sorted[rank - 1]
}
