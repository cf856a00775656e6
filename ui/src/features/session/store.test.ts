import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@/api', () => ({
  api: {
    sessionGet: vi.fn(async () => ({
      actor: { userId: 'u1', name: '赵专员', role: 'officer', unitId: 'unit-1' },
      users: [{ id: 'u1', name: '赵专员', role: 'officer', unitId: 'unit-1', unitName: '计算机学院' }],
      dataDir: '/tmp/zw',
      deviceId: 'dev-1',
    })),
    sessionSwitch: vi.fn(async (id: string) => ({ userId: id, name: '王主任', role: 'admin', unitId: null })),
  },
}))

import { permissions, useSessionStore } from './store'

describe('session store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('fixes the unit for an officer so they can only submit for their own unit', async () => {
    const s = useSessionStore()
    await s.load()
    expect(s.fixedUnitId).toBe('unit-1')
    expect(s.can.submitNeed).toBe(true)
    expect(s.can.editRoster).toBe(false)
    expect(s.can.transition).toBe(false)
  })

  it('switching to an admin lifts the unit restriction', async () => {
    const s = useSessionStore()
    await s.load()
    await s.switchUser('u-admin')
    expect(s.role).toBe('admin')
    expect(s.fixedUnitId).toBeNull()
    expect(s.can.transition).toBe(true)
  })

  it('only experts review, and experts do not submit needs', () => {
    expect(permissions.canReview('expert')).toBe(true)
    expect(permissions.canReview('admin')).toBe(false)
    expect(permissions.canSubmitNeed('expert')).toBe(false)
  })
})
