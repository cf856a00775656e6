//! Who is acting, and what that role may do (as the backend's rule table says:
//! the window keeps no rule of its own). Until server login exists the
//! user switch in the top bar is the role switch; every other store reloads
//! after a switch because the visible data depends on the actor's scope.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, type Actor, type Capabilities, type ServerAccount, type Session, type UserSummary } from '@/api'

export const useSessionStore = defineStore('session', () => {
  const actor = ref<Actor | null>(null)
  const users = ref<UserSummary[]>([])
  const dataDir = ref('')
  const deviceId = ref('')
  /** The server account, once logged in; `joined` once the join step is done. */
  const account = ref<ServerAccount | null>(null)
  const loaded = ref(false)

  const role = computed(() => actor.value?.role)
  /** Before the session loads nothing is allowed. */
  const nothing: Capabilities = {
    editRoster: false, editUnits: false, submitNeed: false, review: false, transition: false, backup: false,
    ownUnitOnly: false, commentRequired: [], manageAccounts: false, unitRoles: [], minPasswordChars: 0,
  }
  const capabilities = ref<Capabilities>(nothing)
  /** What the actor may do, exactly as the backend sent it; the backend still checks every write. */
  const can = computed(() => capabilities.value)
  /** The admin screen for server users and devices: an admin logged in to a server. */
  const serverAdmin = computed(() => !!account.value?.joined && capabilities.value.manageAccounts)
  /** An officer works for one unit only; staff may pick any. */
  const fixedUnitId = computed(() => (capabilities.value.ownUnitOnly ? actor.value?.unitId ?? null : null))

  function apply(s: Session) {
    actor.value = s.actor
    capabilities.value = s.capabilities
    users.value = s.users
    dataDir.value = s.dataDir
    deviceId.value = s.deviceId
    account.value = s.account ?? null
    loaded.value = true
  }

  async function load() {
    apply(await api.sessionGet())
  }

  async function switchUser(userId: string) {
    apply(await api.sessionSwitch(userId))
  }

  return { actor, users, dataDir, deviceId, account, serverAdmin, loaded, role, can, fixedUnitId, apply, load, switchUser }
})
