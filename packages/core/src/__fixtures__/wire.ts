/** Answers shaped like the server's, for msw handlers in tests that need a failure on demand. */
export function preflightWire(overrides: Record<string, unknown> = {}) {
  return {
    approved: true,
    preflight_id: 'dec_test',
    remaining_units: 990,
    estimated_units: 10,
    estimate_source: 'request',
    reservation_id: null,
    expires_at: null,
    run_id: null,
    ceiling: null,
    run_remaining_units: null,
    reason: null,
    upgrade_url: null,
    ...overrides,
  }
}

export function recordWire(overrides: Record<string, unknown> = {}) {
  return {
    recorded: true,
    duplicate: false,
    event_id: 'evt_test',
    units: 10,
    remaining_units: 990,
    overage_units: 0,
    reservation_status: null,
    ...overrides,
  }
}

export function reservationWire(overrides: Record<string, unknown> = {}) {
  return {
    id: 'rsv_test',
    status: 'released',
    customer_id: 'default',
    agent_id: 'agent',
    run_id: null,
    units: 10,
    expires_at: '2026-11-28T12:15:00.000Z',
    created_at: '2026-11-28T12:00:00.000Z',
    closed_at: '2026-11-28T12:01:00.000Z',
    ...overrides,
  }
}

export const BASE_URL = 'http://agentbill.test'
