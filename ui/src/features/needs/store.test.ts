import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { NeedRow } from '@/api'

const rows: NeedRow[] = [
  { id: 'n1', unitId: 'u', unitName: 'U', title: 'A', kind: 'need', priority: 'low', status: 'submitted', submitterName: null, submittedMs: 1, reviewCount: 0, avgScore: null },
  { id: 'n2', unitId: 'u', unitName: 'U', title: 'B', kind: 'scenario', priority: 'high', status: 'approved', submitterName: null, submittedMs: 2, reviewCount: 1, avgScore: 15 },
]
const needTransition = vi.fn(async () => ({}))

vi.mock('@/api', () => ({
  api: {
    needsList: vi.fn(async () => rows),
    needTransition: (...a: unknown[]) => (needTransition as (...x: unknown[]) => unknown)(...a),
  },
}))

import { useNeedsStore } from './store'

describe('needs store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('keys rows by id and lists newest first', async () => {
    const s = useNeedsStore()
    await s.load()
    expect(Object.keys(s.byId)).toEqual(['n1', 'n2'])
    expect(s.rows.map((r) => r.id)).toEqual(['n2', 'n1'])
    expect(s.counts.approved).toBe(1)
  })

  it('reloads after a transition so board and chart follow', async () => {
    const s = useNeedsStore()
    await s.transition('n1', 'under_review', '')
    expect(needTransition).toHaveBeenCalledWith('n1', 'under_review', '')
    expect(s.loaded).toBe(true)
  })
})
