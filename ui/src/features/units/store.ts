//! Units (二级单位) keyed by id; most screens need them for names and selects.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, type Unit, type UnitInput } from '@/api'

export const useUnitsStore = defineStore('units', () => {
  const byId = ref<Record<string, Unit>>({})
  const loaded = ref(false)

  const list = computed(() => Object.values(byId.value).sort((a, b) => a.code.localeCompare(b.code)))
  const active = computed(() => list.value.filter((u) => u.active))

  function setAll(units: Unit[]) {
    byId.value = Object.fromEntries(units.map((u) => [u.id, u]))
    loaded.value = true
  }

  async function load() {
    setAll(await api.unitsList())
  }

  async function save(input: UnitInput): Promise<Unit> {
    const u = await api.unitSave(input)
    byId.value = { ...byId.value, [u.id]: u }
    return u
  }

  const name = (id: string | null | undefined) => (id ? byId.value[id]?.name ?? '' : '')

  return { byId, loaded, list, active, setAll, load, save, name }
})
