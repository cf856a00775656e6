import { describe, expect, it } from 'vitest'
import { countByStatus, groupByStatus, NEED_STATUSES, reviewTotal } from './workflow'

describe('need workflow helpers', () => {
  it('counts every status, including empty ones, so the chart has all bars', () => {
    const c = countByStatus([{ status: 'submitted' }, { status: 'submitted' }, { status: 'launched' }])
    expect(Object.keys(c)).toEqual(NEED_STATUSES)
    expect(c.submitted).toBe(2)
    expect(c.launched).toBe(1)
    expect(c.on_hold).toBe(0)
  })
  it('groups by status, newest first', () => {
    const g = groupByStatus([
      { id: 'a', status: 'approved' as const, submittedMs: 1 },
      { id: 'b', status: 'approved' as const, submittedMs: 3 },
      { id: 'c', status: 'rejected' as const, submittedMs: 2 },
    ])
    expect(g.approved.map((r) => r.id)).toEqual(['b', 'a'])
    expect(g.rejected.map((r) => r.id)).toEqual(['c'])
    expect(g.submitted).toEqual([])
  })
  it('totals review scores', () => {
    expect(reviewTotal({ feasibility: 4, benefit: 5, urgency: 3, cost: 2 })).toBe(14)
  })
})
