//! The sync state the top bar and the 同步 page share: the backend's status
//! (streamed as `sync_status` events), and login / join / logout, each of
//! which changes who is acting, so everything reloads afterwards.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, onSyncStatus, type JoinChoice, type LoginOutcome, type SyncStatus } from '@/api'
import { reloadAll } from '@/features/session/reload'
import { useSessionStore } from '@/features/session/store'

const URL_KEY = 'zongwu.serverUrl'

export const SIGNED_OUT: SyncStatus = {
  state: 'signed_out', pending: 0, lastSuccessMs: null, lastAttemptMs: null, lastError: null, nextRetryMs: null,
  failures: 0, clockOffsetMs: null, dataRevision: 0, refused: [],
}

export const useSyncStore = defineStore('sync', () => {
  const status = ref<SyncStatus>({ ...SIGNED_OUT })
  /** Ticks so relative times ("3 分钟前") stay true while the window is open. */
  const now = ref(Date.now())
  const session = useSessionStore()
  const account = computed(() => session.account)
  const joined = computed(() => !!session.account?.joined)
  let unlisten: (() => void) | null = null
  let timer: ReturnType<typeof setInterval> | null = null

  async function start() {
    if (unlisten) return
    // A new status moves "now" too: times in it are at most this fresh, never "in 2 s".
    unlisten = await onSyncStatus((s) => {
      status.value = s
      now.value = Date.now()
    })
    status.value = await api.syncStatus()
    now.value = Date.now()
    timer = setInterval(() => (now.value = Date.now()), 15_000)
  }

  function stop() {
    unlisten?.()
    unlisten = null
    if (timer) clearInterval(timer)
    timer = null
  }

  async function syncNow() {
    now.value = Date.now()
    await api.syncNow()
  }

  function lastServerUrl(): string {
    try {
      return localStorage.getItem(URL_KEY) ?? ''
    } catch {
      return ''
    }
  }

  /** Log in; when there is local work the caller asks how to join (see `join`). */
  async function login(serverUrl: string, login: string, password: string): Promise<LoginOutcome> {
    const outcome = await api.syncLogin(serverUrl, login, password)
    try {
      localStorage.setItem(URL_KEY, serverUrl.trim())
    } catch {
      /* not remembered */
    }
    await reloadAll()
    return outcome
  }

  async function join(choice: JoinChoice) {
    await api.syncJoin(choice)
    await reloadAll()
  }

  async function logout() {
    await api.syncLogout()
    await reloadAll()
  }

  return { status, now, account, joined, start, stop, syncNow, lastServerUrl, login, join, logout }
})
