import { describe, expect, it } from 'vitest'
import { activityConditions } from './activity-filter'

describe('activityConditions', () => {
  it('always scopes to the project, and adds only the filters given', () => {
    expect(activityConditions('prj_1', {})).toEqual([{ test: 'project_id =', value: 'prj_1' }])
    expect(
      activityConditions('prj_1', { customerId: 'c', until: 50 }).map(
        (condition) => condition.test,
      ),
    ).toEqual(['project_id =', 'customer_id =', 'created_at <'])
  })

  it('keeps 0 as a value: a since of epoch 0 still filters', () => {
    expect(activityConditions('prj_1', { since: 0 })).toContainEqual({
      test: 'created_at >=',
      value: 0,
    })
  })

  it('bounds by id both ways: the time hint (minId) and the page cursor (startingAfter)', () => {
    const tests = activityConditions('prj_1', { minId: 'evt_a', startingAfter: 'evt_z' }).map(
      (condition) => `${condition.test} ${condition.value}`,
    )
    expect(tests).toEqual(['project_id = prj_1', 'id >= evt_a', 'id < evt_z'])
  })
})
