import { describe, expect, it } from 'vitest'
import type { OfficerRow } from '@/api'
import { filterRoster, sortRoster } from './roster'

const row = (p: Partial<OfficerRow>): OfficerRow => ({
  id: p.id ?? 'x',
  unitId: 'u1',
  unitName: '计算机学院',
  staffNo: 'T1',
  name: '张三',
  title: null,
  phoneMasked: null,
  termStart: null,
  termEnd: null,
  status: 'active',
  trainingCount: 0,
  ...p,
})

const rows = [
  row({ id: 'a', name: '王伟', staffNo: 'T0010', unitId: 'u1', trainingCount: 2 }),
  row({ id: 'b', name: '李芳', staffNo: 'T0002', unitId: 'u2', unitName: '财务处', status: 'retired', trainingCount: 5 }),
  row({ id: 'c', name: '张磊', staffNo: 'T0003', unitId: 'u1', title: '科长' }),
]

describe('roster filter', () => {
  it('matches name, staff number or unit name, case-insensitively', () => {
    expect(filterRoster(rows, { query: '李', unitId: null, status: null }).map((r) => r.id)).toEqual(['b'])
    expect(filterRoster(rows, { query: 't0003', unitId: null, status: null }).map((r) => r.id)).toEqual(['c'])
    expect(filterRoster(rows, { query: '财务', unitId: null, status: null }).map((r) => r.id)).toEqual(['b'])
  })
  it('combines unit and status filters', () => {
    expect(filterRoster(rows, { query: '', unitId: 'u1', status: 'active' }).map((r) => r.id)).toEqual(['a', 'c'])
    expect(filterRoster(rows, { query: '', unitId: null, status: 'retired' }).map((r) => r.id)).toEqual(['b'])
  })
  it('stays fast enough for 10,000 rows', () => {
    const many = Array.from({ length: 10000 }, (_, i) => row({ id: String(i), name: `名${i}`, staffNo: `T${i}` }))
    const t0 = performance.now()
    const out = filterRoster(many, { query: 't99', unitId: null, status: null })
    expect(out.length).toBe(111)
    expect(performance.now() - t0).toBeLessThan(200)
  })
})

describe('roster sort', () => {
  it('sorts staff numbers naturally and numbers numerically', () => {
    expect(sortRoster(rows, { key: 'staffNo', order: 'asc' }).map((r) => r.id)).toEqual(['b', 'c', 'a'])
    expect(sortRoster(rows, { key: 'trainingCount', order: 'desc' }).map((r) => r.id)).toEqual(['b', 'a', 'c'])
  })
  it('keeps nulls last in both directions', () => {
    expect(sortRoster(rows, { key: 'title', order: 'asc' })[0].id).toBe('c')
    expect(sortRoster(rows, { key: 'title', order: 'desc' })[0].id).toBe('c')
  })
  it('returns the input unchanged without a sort', () => {
    expect(sortRoster(rows, null)).toBe(rows)
  })
})
