import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { i18n } from '@/i18n'

const syncJoin = vi.fn(async (_choice: unknown) => ({}))
const syncLogout = vi.fn(async () => {})
vi.mock('@/api', () => ({
  api: { syncJoin: (c: unknown) => syncJoin(c), syncLogout: () => syncLogout() },
  onSyncStatus: vi.fn(async () => () => {}),
}))
vi.mock('@/features/session/reload', () => ({ reloadAll: vi.fn(async () => {}) }))

import JoinDialog from './JoinDialog.vue'
import type { LoginOutcome } from '@/api'

const outcome = (plan: Partial<LoginOutcome['plan']>, role: 'admin' | 'officer' = 'admin'): LoginOutcome => ({
  account: { serverUrl: 'http://srv', userId: 'u', login: 'x', name: 'x', role, unitId: null, expiresAtMs: 0, joined: false },
  plan: { pending: 10, setupChanges: 0, outOfScope: 0, everPushed: false, canUpload: true, canDownloadOnly: true, recommended: 'upload', ...plan },
})

describe('JoinDialog', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    document.body.innerHTML = ''
    syncJoin.mockClear()
    syncLogout.mockClear()
  })

  it('uploads local work when that is the recommended choice', async () => {
    const w = mount(JoinDialog, { props: { outcome: outcome({ setupChanges: 4 }) }, global: { plugins: [i18n] }, attachTo: document.body })
    await flushPromises()
    expect(document.body.textContent).toContain('6 条是在本机录入的数据')
    ;(document.querySelector('[data-testid="join-confirm"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(syncJoin).toHaveBeenCalledWith('upload')
    expect(w.emitted('done')?.[0]).toEqual([true])
    w.unmount()
  })

  it('disables the upload an officer could never push, and cancelling logs out', async () => {
    const plan = { outOfScope: 7, canUpload: false, recommended: 'download_only' as const }
    const w = mount(JoinDialog, { props: { outcome: outcome(plan, 'officer') }, global: { plugins: [i18n] }, attachTo: document.body })
    await flushPromises()
    const upload = document.querySelector('[data-testid="join-upload"] input') as HTMLInputElement
    expect(upload.disabled).toBe(true)
    expect(document.body.textContent).toContain('7 条属于该账号权限以外的单位')
    const buttons = [...document.querySelectorAll('.el-dialog__footer button')] as HTMLButtonElement[]
    buttons[0].click()
    await flushPromises()
    expect(syncLogout).toHaveBeenCalled()
    expect(syncJoin).not.toHaveBeenCalled()
    expect(w.emitted('done')?.[0]).toEqual([false])
    w.unmount()
  })
})
