//! Who is acting, and what that role may do. Until server login exists the
//! user switch in the top bar is the role switch; every other store reloads
//! after a switch because the visible data depends on the actor's scope.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, type Actor, type Role, type Session, type UserSummary } from '@/api'

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
  const fixedUnitId = computed(() => (actor.value?.role === 'officer' ? actor.value.unitId : null))

  function apply(s: Session) {
    actor.value = s.actor
    users.value = s.users
    dataDir.value = s.dataDir
    deviceId.value = s.deviceId
    loaded.value = true
  }

  async function load() {
    apply(await api.sessionGet())
  }

  async function switchUser(userId: string) {
    actor.value = await api.sessionSwitch(userId)
  }

  return { actor, users, dataDir, deviceId, loaded, role, can, fixedUnitId, apply, load, switchUser }
})
