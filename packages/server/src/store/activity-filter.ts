import type { ActivityFilter } from './store.js'

/** One condition of a filtered read: a column and operator, and the value it compares with. */
export interface ActivityCondition {
  /** `customer_id =`, `created_at >=`, `id <`: the placeholder follows it. */
  test: string
  value: unknown
}

/**
 * The conditions of an activity read (events, decisions, usage sums) on either store, in one
 * place; each store renders the placeholders its driver takes (`?` or `$n`).
 */
export function activityConditions(
  projectId: string,
  filter: Omit<ActivityFilter, 'limit'>,
): ActivityCondition[] {
  const conditions: ActivityCondition[] = [{ test: 'project_id =', value: projectId }]
  // A range on the primary key (project_id, id): a recent range skips older rows.
  if (filter.minId !== undefined) conditions.push({ test: 'id >=', value: filter.minId })
  if (filter.customerId !== undefined)
    conditions.push({ test: 'customer_id =', value: filter.customerId })
  if (filter.agentId !== undefined) conditions.push({ test: 'agent_id =', value: filter.agentId })
  if (filter.runId !== undefined) conditions.push({ test: 'run_id =', value: filter.runId })
  if (filter.since !== undefined) conditions.push({ test: 'created_at >=', value: filter.since })
  if (filter.until !== undefined) conditions.push({ test: 'created_at <', value: filter.until })
  if (filter.startingAfter !== undefined)
    conditions.push({ test: 'id <', value: filter.startingAfter })
  return conditions
}
