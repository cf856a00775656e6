import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { Capabilities, Session } from '@/api'

// Capabilities are whatever the backend sends; these are deliberately not what
// any role gets from the rule table, so a rule restated in TypeScript would show.
const odd: Capabilities = {
  editRoster: true, editUnits: false, submitNeed: false, review: true, transition: true, backup: false,
  ownUnitOnly: true, commentRequired: ['approved'], manageAccounts: true, unitRoles: ['expert'], minPasswordChars: 3,
}
const none: Capabilities = {
  editRoster: false, editUnits: false, submitNeed: false, review: false, transition: false, backup: false,
  ownUnitOnly: false, commentRequired: [], manageAccounts: false, unitRoles: [], minPasswordChars: 0,
}
const session = (over: Partial<Session>): Session => ({
  actor: { userId: 'u1', name: '赵专员', role: 'officer', unitId: 'unit-1' },
  capabilities: odd,
  users: [{ id: 'u1', name: '赵专员', role: 'officer', unitId: 'unit-1', unitName: '计算机学院' }],
  dataDir: '/tmp/zw',
  exportDir: '/tmp/out',
  deviceId: 'dev-1',
  account: null,
  ...over,
})

vi.mock('@/api', () => ({
  api: {
    sessionGet: vi.fn(async () => session({})),
    sessionSwitch: vi.fn(async (id: string) =>
      session({ actor: { userId: id, name: '王主任', role: 'admin', unitId: null }, capabilities: none }),
    ),
  },
}))

import { useSessionStore } from './store'

describe('session store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('allows nothing before the session is loaded', () => {
    const s = useSessionStore()
    expect(s.can).toEqual(none)
    expect(s.fixedUnitId).toBeNull()
  })

  it('can is exactly the capabilities the backend sent, whatever the role', async () => {
    const s = useSessionStore()
    await s.load()
    expect(s.role).toBe('officer')
    expect(s.can).toEqual(odd)
    expect(s.can.commentRequired).toEqual(['approved'])
  })

  it('fixes the unit when the backend says the actor works for their own unit only', async () => {
    const s = useSessionStore()
    await s.load()
    expect(s.fixedUnitId).toBe('unit-1')
  })

  it('switching user takes the new session: actor and capabilities', async () => {
    const s = useSessionStore()
    await s.load()
    await s.switchUser('u-admin')
    expect(s.role).toBe('admin')
    expect(s.can).toEqual(none)
    expect(s.fixedUnitId).toBeNull()
  })
})
