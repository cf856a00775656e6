//! The liaison roster, keyed by id. Detail (unmasked phone, trainings) is
//! fetched on demand by the drawer; after any write the affected row is
//! refreshed from the list so masked fields and counts stay the backend's.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, type OfficerInput, type OfficerRow } from '@/api'

export const useOfficersStore = defineStore('officers', () => {
  const byId = ref<Record<string, OfficerRow>>({})
  /** Backend order, kept so an unsorted table is stable. */
  const order = ref<string[]>([])
  const loading = ref(false)
  const loaded = ref(false)

  const rows = computed(() => order.value.map((id) => byId.value[id]).filter((r): r is OfficerRow => !!r))

  function setAll(list: OfficerRow[]) {
    byId.value = Object.fromEntries(list.map((r) => [r.id, r]))
    order.value = list.map((r) => r.id)
    loaded.value = true
  }

  async function load() {
    loading.value = true
    try {
      setAll(await api.officersList())
    } finally {
      loading.value = false
    }
  }

  async function save(input: OfficerInput) {
    const o = await api.officerSave(input)
    await load()
    return o
  }

  async function retire(id: string, date: string, reason: string) {
    await api.officerRetire(id, date, reason)
    await load()
  }

  async function reinstate(id: string) {
    await api.officerReinstate(id)
    await load()
  }

  return { byId, order, rows, loading, loaded, setAll, load, save, retire, reinstate }
})
