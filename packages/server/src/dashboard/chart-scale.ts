/** A y axis: the top of the scale and the tick values from 0 up to it. */
export interface ChartScale {
  top: number
  ticks: number[]
}

/**
 * A y axis for integer counts up to `max` with about `count` intervals, on steps of 1, 2, 2.5
 * or 5 times a power of ten (never a fraction: units are integers).
 */
export function niceScale(max: number, count = 4): ChartScale {
  if (!(max > 0)) return { top: count, ticks: Array.from({ length: count + 1 }, (_, i) => i) }
  const rough = max / count
  const power = 10 ** Math.floor(Math.log10(rough))
  // 2.5 × 10^n only where it is a whole number (25, 250, …).
  const factors = power >= 10 ? [1, 2, 2.5, 5, 10] : [1, 2, 5, 10]
  const step = Math.max(
    1,
    factors.map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power,
  )
  const top = Math.ceil(max / step) * step
  const ticks: number[] = []
  for (let value = 0; value <= top; value += step) ticks.push(value)
  return { top, ticks }
}

/** Short tick labels: 1,500 → 1.5k, 2,000,000 → 2M. */
export function compactNumber(value: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ]
  for (const [size, suffix] of units) {
    if (Math.abs(value) >= size) {
      const scaled = value / size
      return `${Number.isInteger(scaled) ? scaled : scaled.toFixed(1).replace(/\.0$/, '')}${suffix}`
    }
  }
  return String(value)
}
