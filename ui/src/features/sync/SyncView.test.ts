import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import ElementPlus from 'element-plus'
import { i18n } from '@/i18n'

vi.mock('@/api', () => ({
  api: { syncStatus: vi.fn(async () => ({})), syncNow: vi.fn(async () => {}) },
  onSyncStatus: vi.fn(async () => () => {}),
}))
vi.mock('@/features/session/reload', () => ({ reloadAll: vi.fn(async () => {}) }))

import SyncView from './SyncView.vue'
import { SIGNED_OUT, useSyncStore } from './store'
import type { RefusedChange } from '@/api'

const refusal: RefusedChange = {
  changeId: 'c1', tableName: 'units', rowId: 'u-9', code: 'forbidden_table', reason: '你的角色不能修改这类数据', atMs: 1_700_000_000_000,
}

function mountWith(refused: RefusedChange[]) {
  const w = mount(SyncView, { global: { plugins: [i18n, ElementPlus] } })
  useSyncStore().status = { ...SIGNED_OUT, refused }
  return w
}

describe('SyncView', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    i18n.global.locale.value = 'zh-CN'
  })

  it('lists what the server refused, with the core\'s Chinese reason', async () => {
    const w = mountWith([refusal])
    await flushPromises()
    const items = w.findAll('[data-testid="sync-refused-item"]')
    expect(items).toHaveLength(1)
    expect(items[0].text()).toContain('被服务器拒绝：你的角色不能修改这类数据')
    expect(items[0].text()).toContain('units · u-9')
    w.unmount()
  })

  it('translates the reason by its code, and falls back to the core\'s words for an unknown code', async () => {
    i18n.global.locale.value = 'en'
    const w = mountWith([refusal, { ...refusal, changeId: 'c2', code: 'from_a_newer_server', reason: '新版本的原因' }])
    await flushPromises()
    const items = w.findAll('[data-testid="sync-refused-item"]')
    expect(items[0].text()).toContain('Refused by the server: your role may not change this kind of data')
    expect(items[1].text()).toContain('Refused by the server: 新版本的原因')
    w.unmount()
  })

  it('shows no refusal section when nothing was refused', async () => {
    const w = mountWith([])
    await flushPromises()
    expect(w.find('[data-testid="sync-refused"]').exists()).toBe(false)
    w.unmount()
  })
})
