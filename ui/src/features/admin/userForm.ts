//! The admin's user form: mistakes show inline before a round trip. The rules
//! themselves (which roles belong to a unit, the shortest password) come from
//! the core's capabilities; this file only applies them to the form.
import type { Capabilities, Role } from '@/api'

/** The account rules the form applies, as the core states them. */
export type AccountRules = Pick<Capabilities, 'unitRoles' | 'minPasswordChars'>

export interface UserForm {
  id: string | null
  login: string
  name: string
  role: Role
  unitId: string | null
  active: boolean
  password: string
}

export function emptyUser(): UserForm {
  return { id: null, login: '', name: '', role: 'office', unitId: null, active: true, password: '' }
}

/** i18n keys of what is wrong, by field; empty when the form can be sent. */
export function userFormErrors(f: UserForm, rules: AccountRules): Partial<Record<keyof UserForm, string>> {
  const errors: Partial<Record<keyof UserForm, string>> = {}
  const creating = f.id === null
  if (creating && !f.login.trim()) errors.login = 'admin.loginRequired'
  if (!f.name.trim()) errors.name = 'admin.nameRequired'
  if (rules.unitRoles.includes(f.role) && !f.unitId) errors.unitId = 'admin.unitRequired'
  if ((creating || f.password !== '') && [...f.password].length < rules.minPasswordChars) errors.password = 'admin.passwordShort'
  return errors
}

/** A unit only for roles that belong to one: switching away drops it. */
export function unitFor(role: Role, unitId: string | null, rules: AccountRules): string | null {
  return rules.unitRoles.includes(role) ? unitId : null
}
