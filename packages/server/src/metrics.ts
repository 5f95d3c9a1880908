const bucketsSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

interface Histogram {
  counts: number[]
  sum: number
  count: number
}

/**
 * Prometheus counters and a latency histogram per route, kept in memory and rendered as the
 * text exposition format for `GET /metrics`. Small on purpose: no label a caller controls.
 */
export class Metrics {
  readonly #requests = new Map<string, number>()
  readonly #durations = new Map<string, Histogram>()
  readonly #gauges = new Map<string, { help: string; read: () => number }>()

  /** Counts one answered request. `route` is the route's path template, never the raw URL. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${method}",route="${route}",status="${status}"`
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1)
    const durationKey = `method="${method}",route="${route}"`
    let histogram = this.#durations.get(durationKey)
    if (histogram === undefined) {
      histogram = { counts: bucketsSeconds.map(() => 0), sum: 0, count: 0 }
      this.#durations.set(durationKey, histogram)
    }
    for (let index = 0; index < bucketsSeconds.length; index++) {
      if (seconds <= (bucketsSeconds[index] as number)) {
        histogram.counts[index] = (histogram.counts[index] ?? 0) + 1
      }
    }
    histogram.sum += seconds
    histogram.count++
  }

  /** Registers a value read at scrape time (counters of the store, for example). */
  gauge(name: string, help: string, read: () => number): void {
    this.#gauges.set(name, { help, read })
  }

  /** The text exposition format. */
  render(): string {
    const lines: string[] = [
      '# HELP agentbill_http_requests_total Requests answered, by route and status.',
      '# TYPE agentbill_http_requests_total counter',
    ]
    for (const [labels, value] of this.#requests) {
      lines.push(`agentbill_http_requests_total{${labels}} ${value}`)
    }
    lines.push(
      '# HELP agentbill_http_request_duration_seconds Time to answer, by route.',
      '# TYPE agentbill_http_request_duration_seconds histogram',
    )
    for (const [labels, histogram] of this.#durations) {
      bucketsSeconds.forEach((bound, index) => {
        lines.push(
          `agentbill_http_request_duration_seconds_bucket{${labels},le="${bound}"} ${histogram.counts[index] ?? 0}`,
        )
      })
      lines.push(
        `agentbill_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${histogram.count}`,
        `agentbill_http_request_duration_seconds_sum{${labels}} ${histogram.sum}`,
        `agentbill_http_request_duration_seconds_count{${labels}} ${histogram.count}`,
      )
    }
    for (const [name, gauge] of this.#gauges) {
      lines.push(`# HELP ${name} ${gauge.help}`, `# TYPE ${name} gauge`, `${name} ${gauge.read()}`)
    }
    return `${lines.join('\n')}\n`
  }
}
