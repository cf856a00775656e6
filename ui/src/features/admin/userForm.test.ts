import { describe, expect, it } from 'vitest'
import { emptyUser, unitFor, userFormErrors } from './userForm'

describe('admin user form', () => {
  it('a new user needs a login, a name and a password of 8 characters', () => {
    expect(userFormErrors(emptyUser())).toEqual({
      login: 'admin.loginRequired', name: 'admin.nameRequired', password: 'admin.passwordShort',
    })
    expect(userFormErrors({ ...emptyUser(), login: 'li', name: '李老师', password: 'long-enough' })).toEqual({})
  })

  it('an officer needs a unit; an edit may leave the password empty (unchanged)', () => {
    const edit = { ...emptyUser(), id: 'u1', name: '赵专员', role: 'officer' as const }
    expect(userFormErrors(edit)).toEqual({ unitId: 'admin.unitRequired' })
    expect(userFormErrors({ ...edit, unitId: 'demo-unit-01' })).toEqual({})
    expect(userFormErrors({ ...edit, unitId: 'demo-unit-01', password: 'short' })).toEqual({ password: 'admin.passwordShort' })
  })

  it('only officers keep a unit', () => {
    expect(unitFor('officer', 'u')).toBe('u')
    expect(unitFor('office', 'u')).toBeNull()
  })
})
