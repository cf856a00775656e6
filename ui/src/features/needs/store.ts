//! Needs keyed by id, plus the counts the chart shows.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, type NeedInput, type NeedRow, type NeedStatus, type ReviewInput } from '@/api'
import { countByStatus } from './workflow'

export const useNeedsStore = defineStore('needs', () => {
  const byId = ref<Record<string, NeedRow>>({})
  const loading = ref(false)
  const loaded = ref(false)

  const rows = computed(() => Object.values(byId.value).sort((a, b) => b.submittedMs - a.submittedMs))
  const counts = computed(() => countByStatus(rows.value))

  function setAll(list: NeedRow[]) {
    byId.value = Object.fromEntries(list.map((r) => [r.id, r]))
    loaded.value = true
  }

  async function load() {
    loading.value = true
    try {
      setAll(await api.needsList())
    } finally {
      loading.value = false
    }
  }

  async function submit(input: NeedInput) {
    const n = await api.needSubmit(input)
    await load()
    return n
  }

  async function review(input: ReviewInput) {
    const r = await api.needReview(input)
    await load()
    return r
  }

  async function transition(id: string, to: NeedStatus, comment: string) {
    const n = await api.needTransition(id, to, comment)
    await load()
    return n
  }

  return { byId, rows, counts, loading, loaded, setAll, load, submit, review, transition }
})
