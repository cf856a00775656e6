//! Reload everything the actor can see: after a user switch or a restore the
//! scope or the data underneath has changed.
import { useSessionStore } from './store'
import { useUnitsStore } from '@/features/units/store'
import { useOfficersStore } from '@/features/officers/store'
import { useNeedsStore } from '@/features/needs/store'

export async function reloadAll(): Promise<void> {
  const session = useSessionStore()
  const officers = useOfficersStore()
  const needs = useNeedsStore()
  await session.load()
  await Promise.all([
    useUnitsStore().load(),
    officers.loaded ? officers.load() : Promise.resolve(),
    needs.loaded ? needs.load() : Promise.resolve(),
  ])
}
