import { describe, expect, it } from 'vitest'
import { emptyUser, unitFor, userFormErrors, type AccountRules } from './userForm'

// Deliberately not the real rules: the form applies whatever the core states.
const rules: AccountRules = { unitRoles: ['officer'], minPasswordChars: 8 }
const odd: AccountRules = { unitRoles: ['expert'], minPasswordChars: 12 }

describe('admin user form', () => {
  it('a new user needs a login, a name and a password of 8 characters', () => {
    expect(userFormErrors(emptyUser(), rules)).toEqual({
      login: 'admin.loginRequired', name: 'admin.nameRequired', password: 'admin.passwordShort',
    })
    expect(userFormErrors({ ...emptyUser(), login: 'li', name: '李老师', password: 'long-enough' }, rules)).toEqual({})
  })

  it('an officer needs a unit; an edit may leave the password empty (unchanged)', () => {
    const edit = { ...emptyUser(), id: 'u1', name: '赵专员', role: 'officer' as const }
    expect(userFormErrors(edit, rules)).toEqual({ unitId: 'admin.unitRequired' })
    expect(userFormErrors({ ...edit, unitId: 'demo-unit-01' }, rules)).toEqual({})
    expect(userFormErrors({ ...edit, unitId: 'demo-unit-01', password: 'short' }, rules)).toEqual({ password: 'admin.passwordShort' })
  })

  it('only officers keep a unit', () => {
    expect(unitFor('officer', 'u', rules)).toBe('u')
    expect(unitFor('office', 'u', rules)).toBeNull()
  })

  it('applies the rules the core sends, not rules of its own', () => {
    const expert = { ...emptyUser(), id: 'u2', name: '陈教授', role: 'expert' as const, password: 'eleven-char' }
    expect(userFormErrors(expert, odd)).toEqual({ unitId: 'admin.unitRequired', password: 'admin.passwordShort' })
    expect(unitFor('officer', 'u', odd)).toBeNull()
  })
})
