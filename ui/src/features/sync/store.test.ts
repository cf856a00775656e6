import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

const listeners: ((s: unknown) => void)[] = []
const account = { serverUrl: 'http://srv', userId: 'u9', login: 'officer1', name: 'officer1', role: 'officer', unitId: 'demo-unit-01', expiresAtMs: 0, joined: false }

vi.mock('@/api', () => ({
  api: {
    syncStatus: vi.fn(async () => ({ state: 'idle', pending: 2, lastSuccessMs: 1, lastAttemptMs: 1, lastError: null, nextRetryMs: null, failures: 0, clockOffsetMs: null, dataRevision: 0 })),
    syncNow: vi.fn(async () => {}),
    syncLogin: vi.fn(async () => ({ account, plan: { pending: 30, setupChanges: 30, outOfScope: 30, everPushed: false, canUpload: false, canDownloadOnly: true, recommended: 'download_only' } })),
    syncJoin: vi.fn(async () => ({ ...account, joined: true })),
    syncLogout: vi.fn(async () => {}),
  },
  onSyncStatus: vi.fn(async (h: (s: unknown) => void) => {
    listeners.push(h)
    return () => {}
  }),
}))
const reloadAll = vi.fn(async () => {})
vi.mock('@/features/session/reload', () => ({ reloadAll: () => reloadAll() }))

import { api } from '@/api'
import { useSyncStore } from './store'

describe('sync store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    reloadAll.mockClear()
  })

  it('starts from the backend status and follows its events', async () => {
    const s = useSyncStore()
    await s.start()
    expect(s.status.pending).toBe(2)
    listeners[listeners.length - 1]?.({ state: 'offline', pending: 3, lastSuccessMs: 1, lastAttemptMs: 2, lastError: '无法连接同步服务器（离线），稍后自动重试', nextRetryMs: 9, failures: 1, clockOffsetMs: null, dataRevision: 0 })
    expect(s.status.state).toBe('offline')
    expect(s.status.lastError).toContain('离线')
    s.stop()
  })

  it('returns the join plan after login and joins with the chosen option', async () => {
    const s = useSyncStore()
    const outcome = await s.login(' http://srv ', 'officer1', 'pw')
    expect(outcome.plan.recommended).toBe('download_only')
    await s.join('download_only')
    expect(api.syncJoin).toHaveBeenCalledWith('download_only')
    expect(reloadAll).toHaveBeenCalledTimes(2)
    expect(s.lastServerUrl()).toBe('http://srv')
  })
})
