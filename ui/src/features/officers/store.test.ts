import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { OfficerRow } from '@/api'

const row = (id: string, staffNo: string): OfficerRow => ({
  id, unitId: 'u', unitName: 'U', staffNo, name: id, title: null, phoneMasked: null, termStart: null, termEnd: null,
  status: 'active', trainingCount: 0,
})
let server: OfficerRow[] = [row('a', 'T2'), row('b', 'T1')]

vi.mock('@/api', () => ({
  api: {
    officersList: vi.fn(async () => server),
    officerSave: vi.fn(async (input: { staffNo: string }) => {
      server = [...server, row('c', input.staffNo)]
      return { id: 'c' }
    }),
    officerRetire: vi.fn(async () => {
      server = server.map((r) => (r.id === 'a' ? { ...r, status: 'retired' as const } : r))
    }),
  },
}))

import { useOfficersStore } from './store'

describe('officers store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('keeps the backend order and keys rows by id', async () => {
    const s = useOfficersStore()
    await s.load()
    expect(s.rows.map((r) => r.id)).toEqual(['a', 'b'])
    expect(s.byId.b.staffNo).toBe('T1')
  })

  it('reloads after a save so the new row shows with the masked fields the backend computed', async () => {
    const s = useOfficersStore()
    await s.save({ id: null, unitId: 'u', staffNo: 'T3', name: 'c', gender: null, title: null, phone: null, email: null, termStart: null, termEnd: null, duties: null, note: null })
    expect(s.byId.c?.staffNo).toBe('T3')
  })

  it('reflects a retirement in the list', async () => {
    const s = useOfficersStore()
    await s.retire('a', '2025-01-01', '调岗')
    expect(s.byId.a.status).toBe('retired')
  })
})
