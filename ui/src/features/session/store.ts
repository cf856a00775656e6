//! Who is acting, and what that role may do. Until server login exists the
//! user switch in the top bar is the role switch; every other store reloads
//! after a switch because the visible data depends on the actor's scope.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, type Actor, type Role, type ServerAccount, type Session, type UserSummary } from '@/api'

/** Role rules the UI uses to show or hide actions; the backend enforces them. */
export const permissions = {
  isStaff: (r: Role | undefined) => r === 'admin' || r === 'office',
  canEditRoster: (r: Role | undefined) => r === 'admin' || r === 'office',
  canEditUnits: (r: Role | undefined) => r === 'admin' || r === 'office',
  canSubmitNeed: (r: Role | undefined) => r === 'admin' || r === 'office' || r === 'officer',
  canReview: (r: Role | undefined) => r === 'expert',
  canTransition: (r: Role | undefined) => r === 'admin' || r === 'office',
  canBackup: (r: Role | undefined) => r === 'admin' || r === 'office',
}

export const useSessionStore = defineStore('session', () => {
  const actor = ref<Actor | null>(null)
  const users = ref<UserSummary[]>([])
  const dataDir = ref('')
  const deviceId = ref('')
  /** The server account, once logged in; `joined` once the join step is done. */
  const account = ref<ServerAccount | null>(null)
  const loaded = ref(false)

  const role = computed(() => actor.value?.role)
  const can = computed(() => {
    const r = role.value
    return {
      editRoster: permissions.canEditRoster(r),
      editUnits: permissions.canEditUnits(r),
      submitNeed: permissions.canSubmitNeed(r),
      review: permissions.canReview(r),
      transition: permissions.canTransition(r),
      backup: permissions.canBackup(r),
    }
  })
  /** An officer works for one unit only; staff may pick any. */
  /** The admin screen for server users and devices: an admin logged in to a server. */
  const serverAdmin = computed(() => !!account.value?.joined && account.value.role === 'admin')
  const fixedUnitId = computed(() => (actor.value?.role === 'officer' ? actor.value.unitId : null))

  function apply(s: Session) {
    actor.value = s.actor
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
    actor.value = await api.sessionSwitch(userId)
  }

  return { actor, users, dataDir, deviceId, account, serverAdmin, loaded, role, can, fixedUnitId, apply, load, switchUser }
})
