import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { nextTick } from 'vue'
import { i18n } from '@/i18n'

const needSubmit = vi.fn(async (input: unknown) => ({ id: 'n1', ...(input as object) }))
vi.mock('@/api', () => ({
  api: {
    needSubmit: (input: unknown) => needSubmit(input),
    needsList: vi.fn(async () => []),
  },
}))

import NeedFormDialog from './NeedFormDialog.vue'
import { useSessionStore } from '@/features/session/store'
import { useUnitsStore } from '@/features/units/store'

describe('NeedFormDialog', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    document.body.innerHTML = ''
  })

  it('fixes the unit for an officer and submits for that unit only', async () => {
    const session = useSessionStore()
    session.apply({
      actor: { userId: 'u1', name: '赵专员', role: 'officer', unitId: 'unit-1' },
      // As the backend sends an officer's capabilities: they work for their own unit only.
      capabilities: {
        editRoster: false, editUnits: false, submitNeed: true, review: false, transition: false, backup: false,
        ownUnitOnly: true, commentRequired: ['rejected', 'on_hold'], manageAccounts: false, unitRoles: ['officer'], minPasswordChars: 8,
      },
      users: [], dataDir: '', exportDir: '', deviceId: '',
    } as never)
    useUnitsStore().setAll([
      { id: 'unit-1', code: 'XY01', name: '计算机学院', kind: 'college', active: true },
      { id: 'unit-2', code: 'JG01', name: '财务处', kind: 'office', active: true },
    ])
    const w = mount(NeedFormDialog, {
      props: { modelValue: false },
      global: { plugins: [i18n] },
      attachTo: document.body,
    })
    await w.setProps({ modelValue: true })
    await nextTick()
    await flushPromises()

    const fixed = document.querySelector<HTMLInputElement>('[data-testid="need-form-unit-fixed"]')
    expect(fixed?.value, 'an officer sees their unit, read-only').toBe('计算机学院')
    expect(document.querySelector('[data-testid="need-form-unit"]'), 'and no unit picker').toBeNull()

    const type = async (testid: string, v: string) => {
      const el = document.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[data-testid="${testid}"]`)!
      el.value = v
      el.dispatchEvent(new Event('input'))
      await nextTick()
    }
    await type('need-form-title', '报修进度查询')
    await type('need-form-description', '线上查看报修进度')
    document.querySelector<HTMLButtonElement>('[data-testid="need-form-submit"]')!.click()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    await flushPromises()

    expect(needSubmit).toHaveBeenCalledTimes(1)
    expect(needSubmit.mock.calls[0][0]).toMatchObject({
      unitId: 'unit-1', title: '报修进度查询', kind: 'need', priority: 'medium', expectedBenefit: '', attachments: [],
    })
    w.unmount()
  })
})
