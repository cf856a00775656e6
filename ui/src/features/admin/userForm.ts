//! The admin's user form rules, mirrored from the server so mistakes show
//! inline before a round trip: an officer needs a unit, nobody else has one,
//! passwords have at least 8 characters (a new user needs one).
import type { Role } from '@/api'

export interface UserForm {
  id: string | null
  login: string
  name: string
  role: Role
  unitId: string | null
  active: boolean
  password: string
}

export const MIN_PASSWORD = 8

export function emptyUser(): UserForm {
  return { id: null, login: '', name: '', role: 'office', unitId: null, active: true, password: '' }
}

/** i18n keys of what is wrong, by field; empty when the form can be sent. */
export function userFormErrors(f: UserForm): Partial<Record<keyof UserForm, string>> {
  const errors: Partial<Record<keyof UserForm, string>> = {}
  const creating = f.id === null
  if (creating && !f.login.trim()) errors.login = 'admin.loginRequired'
  if (!f.name.trim()) errors.name = 'admin.nameRequired'
  if (f.role === 'officer' && !f.unitId) errors.unitId = 'admin.unitRequired'
  if ((creating || f.password !== '') && f.password.length < MIN_PASSWORD) errors.password = 'admin.passwordShort'
  return errors
}

/** A unit only for officers: switching away from officer drops it. */
export function unitFor(role: Role, unitId: string | null): string | null {
  return role === 'officer' ? unitId : null
}
